from typing import Any

class BasePolicy:
    name: str
    def __init__(self, name: str, **kwargs: Any) -> None: ...

class CustomPolicy(BasePolicy):
    def __init__(self, name: str, expression: str, **kwargs: Any) -> None: ...
