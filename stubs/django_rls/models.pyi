# Type stubs for the part of django-rls (which ships none) this project uses: RLSModel is a
# django Model, so django-stubs types the columns of every model that subclasses it.
from typing import ClassVar, Self, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)

class RLSQuerySet(models.QuerySet[_M, _M]): ...
class RLSManager(models.Manager[_M]): ...

class RLSModel(models.Model):
    objects: ClassVar[RLSManager[Self]]
    @classmethod
    def enable_rls(cls) -> None: ...
    @classmethod
    def disable_rls(cls) -> None: ...
