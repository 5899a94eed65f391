"""CDK stacks of the CRM."""

from infra.stacks.crm_stack import CrmStack, RegistryError, check_registry, scratch_workdir

__all__ = ["CrmStack", "RegistryError", "check_registry", "scratch_workdir"]
