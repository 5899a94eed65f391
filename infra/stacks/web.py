"""The web app in AWS: its built files in a private bucket behind CloudFront, the API beside it.

One origin for the browser, as `make run` gives on a laptop: CloudFront sends `/v1/*` to API
Gateway (never cached, every method, the Authorization header and query strings forwarded) and
everything else to the bucket through Origin Access Control. The SPA fallback is a viewer-request
function on the default behaviour that rewrites extension-less paths to `/index.html`; custom
error responses are not used, as they would also turn the API's own 404s into the app's page.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

API_PATH = "/v1/*"
IMMUTABLE = "public, max-age=31536000, immutable"

# CloudFront Functions (cloudfront-js-2.0): an app route has no file extension; /v1 never gets here.
SPA_FALLBACK = """\
function handler(event) {
  var request = event.request;
  var last = request.uri.split("/").pop();
  if (last.indexOf(".") === -1) {
    request.uri = "/index.html";
  }
  return request;
}
"""


class WebApp(Construct):
    """The distribution, its bucket and (when given) the built files deployed into it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_domain: str,
        api_stage: str,
        app_url: str,
        web_dist: Path | None,
        certificate_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # Only build output lives here: a new deployment rewrites it all.
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        spa_fallback = cloudfront.Function(
            self,
            "SpaFallback",
            code=cloudfront.FunctionCode.from_inline(SPA_FALLBACK),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="extension-less app paths get /index.html",
        )
        api = origins.HttpOrigin(
            api_domain,
            origin_path=f"/{api_stage}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            read_timeout=Duration.seconds(30),
        )
        # A custom domain (app_url's host) needs its ACM certificate (us-east-1); without one,
        # app_url must be the distribution's own address (the WebUrl output).
        host = urlsplit(app_url).hostname
        custom_domain = certificate_arn is not None and host is not None
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"CRM web app ({Stack.of(self).stack_name})",
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            domain_names=[host] if custom_domain and host else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)
                if custom_domain and certificate_arn
                else None
            ),
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=spa_fallback, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                API_PATH: cloudfront.BehaviorOptions(
                    origin=api,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    # Caching disabled: the AllViewer policy may then forward Authorization too
                    # (and every query string); not Host, which API Gateway routes on.
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    compress=True,
                )
            },
        )
        if web_dist is not None:
            source = s3deploy.Source.asset(str(web_dist))
            # Vite's assets are named by their content: cached for good. index.html is asked
            # for anew each time (and invalidated), so a deployment shows at the next load.
            assets = s3deploy.BucketDeployment(
                self,
                "Files",
                sources=[source],
                destination_bucket=self.bucket,
                exclude=["index.html"],  # nor pruned: the deployment below owns it
                cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE)],
                prune=True,
                memory_limit=512,
            )
            index = s3deploy.BucketDeployment(
                self,
                "Index",
                sources=[source],
                destination_bucket=self.bucket,
                exclude=["*"],
                include=["index.html"],
                cache_control=[s3deploy.CacheControl.no_cache()],
                prune=False,
                distribution=self.distribution,
                distribution_paths=["/*"],
            )
            index.node.add_dependency(assets)  # the page never names files not there yet
        self.url = f"https://{self.distribution.distribution_domain_name}"
        CfnOutput(Stack.of(self), "WebUrl", value=self.url, description="The web app (and /v1, the API)")
