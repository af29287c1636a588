# Type stubs for the part of django-rls (which ships none) this project uses: RLSModel is a
# django Model, so django-stubs types the columns of every model that subclasses it.
from django.db import models

class RLSModel(models.Model):
    @classmethod
    def enable_rls(cls) -> None: ...
    @classmethod
    def disable_rls(cls) -> None: ...
