"""Running the stack unattended: log retention, alarms to an SNS topic, one dashboard.

Every log group the stack creates keeps `log_retention_days` (default 30, `-c log_retention_days=`);
every Lambda, CDK's own helpers included, logs to such a group (its LoggingConfig), never to an
implicit `/aws/lambda/...` group that never expires. The alarms go to one SNS topic, with an
e-mail subscription when `-c alarm_email=` is given. docs/operations.md lists them.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

DEFAULT_LOG_RETENTION_DAYS = 30
METRICS_NAMESPACE = "CRM"  # chalicelib/observability.py (POWERTOOLS_METRICS_NAMESPACE)
API_SERVICE = "crm-api"  # the API's POWERTOOLS_SERVICE_NAME: the `service` dimension of its metrics

# What CloudWatch Logs accepts as a retention, in days -> CDK's name for it.
_RETENTIONS = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
    60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
    365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS",
    1096: "THREE_YEARS", 1827: "FIVE_YEARS", 2192: "SIX_YEARS", 2557: "SEVEN_YEARS",
    2922: "EIGHT_YEARS", 3288: "NINE_YEARS", 3653: "TEN_YEARS",
}  # fmt: skip

# Alarm thresholds (docs/operations.md).
API_5XX_RATE = 0.05  # share of requests answered 5xx, over 5 minutes (2 of 3 periods)
API_P99_MS = 5000  # p99 latency, 3 periods of 5 minutes in a row
PBX_FAILURE_PERCENT = 10  # PBX events refused or failed, over 5 minutes (2 of 3 periods)
# DynamoDB's SystemErrors has an Operation dimension; an alarm's math takes at most 10 metrics.
_TABLE_OPERATIONS = (
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.DELETE_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.SCAN,
    dynamodb.Operation.BATCH_GET_ITEM,
    dynamodb.Operation.BATCH_WRITE_ITEM,
    dynamodb.Operation.TRANSACT_GET_ITEMS,
    dynamodb.Operation.TRANSACT_WRITE_ITEMS,
)
_FIVE_MINUTES = Duration.minutes(5)


def retention(days: int) -> logs.RetentionDays:
    if days not in _RETENTIONS:
        raise ValueError(f"log_retention_days {days}: CloudWatch Logs accepts {', '.join(map(str, _RETENTIONS))}")
    return logs.RetentionDays[_RETENTIONS[days]]


def log_group(scope: Construct, construct_id: str, days: int, name: str | None = None) -> logs.LogGroup:
    """A log group with the stack's retention, deleted with the stack (the data is elsewhere)."""
    return logs.LogGroup(
        scope, construct_id, log_group_name=name, retention=retention(days), removal_policy=RemovalPolicy.DESTROY
    )


def give_every_function_a_log_group(stack: Stack, days: int) -> None:
    """Lambdas without a LoggingConfig (CDK's own helpers: the web app's deployment, the bucket
    clean-up) log to a group of their own with the retention. Call once everything is built."""
    for node in stack.node.find_all():
        if not isinstance(node, CfnResource) or node.cfn_resource_type != "AWS::Lambda::Function":
            continue
        if isinstance(node, lambda_.CfnFunction) and node.logging_config is not None:
            continue
        group = log_group(node.node.scope or stack, f"{node.node.id}Logs", days)
        node.add_property_override("LoggingConfig.LogGroup", group.log_group_name)


class Monitoring(Construct):
    """The alarms (to `self.topic`) and the `crm-<stage>` dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        alarm_email: str | None,
        api_name: str,
        api_stage: str,
        api_function_name: str,
        functions: Mapping[str, lambda_.IFunction],
        state_machines: Mapping[str, sfn.IStateMachine],
        table: dynamodb.ITable,
        dead_letters: Mapping[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name=f"CRM {stage} alarms")
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        self._action = cw_actions.SnsAction(self.topic)

        # The API, as API Gateway sees it (Lambda crashes and timeouts included).
        api = {"ApiName": api_name, "Stage": api_stage}
        api_5xx = self._metric("AWS/ApiGateway", "5XXError", api, "Average", "5xx rate")
        api_p99 = self._metric("AWS/ApiGateway", "Latency", api, "p99", "p99 latency (ms)")
        api_count = self._metric("AWS/ApiGateway", "Count", api, "Sum", "requests")
        self._alarm(
            "Api5xxRate", api_5xx, API_5XX_RATE, "API: over 5% of requests answered 5xx", periods=3, breaching=2
        )
        self._alarm(
            "ApiLatencyP99", api_p99, API_P99_MS, "API: p99 latency over 5 s for 15 min", periods=3, breaching=3
        )

        # The PBX webhook (chalicelib/api/webhooks.py emits PbxEvents and PbxEventFailures).
        service = {"service": API_SERVICE}
        pbx_events = self._metric(METRICS_NAMESPACE, "PbxEvents", service, "Sum", "PBX events")
        pbx_failures = self._metric(METRICS_NAMESPACE, "PbxEventFailures", service, "Sum", "PBX events failed")
        pbx_rate = cloudwatch.MathExpression(
            expression="IF(events > 0, 100 * FILL(failures, 0) / events, 0)",
            using_metrics={"events": pbx_events, "failures": pbx_failures},
            label="PBX webhook failures (%)",
            period=_FIVE_MINUTES,
        )
        self._alarm(
            "PbxWebhookFailureRate",
            pbx_rate,
            PBX_FAILURE_PERCENT,
            "PBX webhook: over 10% of events refused or failed",
            periods=3,
            breaching=2,
        )

        # Every Lambda: errors and throttles, one alarm each.
        all_functions = {"Api": api_function_name, **{name: fn.function_name for name, fn in functions.items()}}
        errors, throttles = [], []
        for name, function_name in all_functions.items():
            dims = {"FunctionName": function_name}
            error = self._metric("AWS/Lambda", "Errors", dims, "Sum", name)
            throttle = self._metric("AWS/Lambda", "Throttles", dims, "Sum", name)
            self._alarm(f"{name}Errors", error, 1, f"Lambda {name}: errors")
            self._alarm(f"{name}Throttles", throttle, 1, f"Lambda {name}: throttled")
            errors.append(error)
            throttles.append(throttle)

        # Every state machine: executions failed or timed out.
        failed, timed_out = [], []
        for name, machine in state_machines.items():
            failure = machine.metric_failed(period=_FIVE_MINUTES, statistic="Sum", label=name)
            timeout = machine.metric_timed_out(period=_FIVE_MINUTES, statistic="Sum", label=name)
            self._alarm(f"{name}ExecutionsFailed", failure, 1, f"State machine {name}: an execution failed")
            self._alarm(f"{name}ExecutionsTimedOut", timeout, 1, f"State machine {name}: an execution timed out")
            failed.append(failure)
            timed_out.append(timeout)

        # The table: throttled requests and DynamoDB's own errors.
        table_dims = {"TableName": table.table_name}
        table_throttles = cloudwatch.MathExpression(
            expression="FILL(r, 0) + FILL(w, 0)",
            using_metrics={
                "r": self._metric("AWS/DynamoDB", "ReadThrottleEvents", table_dims, "Sum", "read"),
                "w": self._metric("AWS/DynamoDB", "WriteThrottleEvents", table_dims, "Sum", "write"),
            },
            label="throttle events",
            period=_FIVE_MINUTES,
        )
        system_errors = table.metric_system_errors_for_operations(
            operations=list(_TABLE_OPERATIONS), period=_FIVE_MINUTES, label="system errors"
        )
        self._alarm("TableThrottles", table_throttles, 1, "DynamoDB: requests throttled")
        self._alarm("TableSystemErrors", system_errors, 1, "DynamoDB: system errors")

        # Dead letters: any message waiting is an event to look at, then replay.
        depths = []
        for name, queue in dead_letters.items():
            depth = queue.metric_approximate_number_of_messages_visible(
                period=_FIVE_MINUTES, statistic="Maximum", label=name
            )
            self._alarm(f"{name}DeadLetters", depth, 1, f"{name}: events on its dead-letter queue (replay_dlq)")
            depths.append(depth)

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"crm-{stage}")
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24, height=4),
        )
        self.dashboard.add_widgets(
            self._graph("API requests (API Gateway)", [api_count]),
            self._graph("API 5xx rate", [api_5xx]),
            self._graph("API p99 latency (ms)", [api_p99]),
        )
        self.dashboard.add_widgets(  # the business metrics the code emits (EMF, chalicelib/api)
            self._graph(
                "Requests and server errors (app)",
                [
                    self._metric(METRICS_NAMESPACE, "Requests", service, "Sum", "requests"),
                    self._metric(METRICS_NAMESPACE, "ServerErrors", service, "Sum", "server errors"),
                ],
            ),
            self._graph(
                "Handler latency (app, ms)",
                [
                    self._metric(METRICS_NAMESPACE, "Latency", service, "p50", "p50"),
                    self._metric(METRICS_NAMESPACE, "Latency", service, "p99", "p99"),
                ],
            ),
            self._graph("PBX webhook events", [pbx_events, pbx_failures]),
        )
        self.dashboard.add_widgets(
            self._graph("Lambda errors", errors, width=12),
            self._graph("Lambda throttles", throttles, width=12),
        )
        self.dashboard.add_widgets(
            self._graph("Executions failed", failed),
            self._graph("Executions timed out", timed_out),
            self._graph("Dead letters waiting", depths),
        )
        self.dashboard.add_widgets(
            self._graph("DynamoDB throttles and system errors", [table_throttles, system_errors], width=12),
            self._graph(
                "DynamoDB consumed capacity",
                [
                    table.metric_consumed_read_capacity_units(period=_FIVE_MINUTES, label="read"),
                    table.metric_consumed_write_capacity_units(period=_FIVE_MINUTES, label="write"),
                ],
                width=12,
            ),
        )

    @staticmethod
    def _metric(namespace: str, name: str, dims: Mapping[str, str], statistic: str, label: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=namespace,
            metric_name=name,
            dimensions_map=dict(dims),
            statistic=statistic,
            period=_FIVE_MINUTES,
            label=label,
        )

    @staticmethod
    def _graph(title: str, metrics: list[cloudwatch.IMetric], width: int = 8) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(title=title, left=metrics, width=width, height=6)

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        *,
        periods: int = 1,
        breaching: int = 1,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=periods,
            datapoints_to_alarm=breaching,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
