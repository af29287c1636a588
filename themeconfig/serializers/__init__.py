"""API representations (shape only: no business logic here), one module per aggregate."""
from themeconfig.serializers.core import LayoutPresetSerializer, PropertySerializer, TenantSerializer

__all__ = ["LayoutPresetSerializer", "PropertySerializer", "TenantSerializer"]
