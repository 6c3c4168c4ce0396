"""Jinja's sandbox for templates that come with a knowledge base (hostile input, like
every file): the page templates of templates/ and a theme folder of the KB's own.

Jinja's ``SandboxedEnvironment`` refuses Python's internals (``__globals__``…). It still
calls any method of any object a template can reach, and MkDocs' objects reach far:
``config.theme.get_env()`` returns an environment without a sandbox, ``config.load_file``
reads YAML unsafely, a record's ``source.path`` writes files. Here a method may be
called only on plain values (text, numbers, dates, lists, dicts), on Jinja's own helpers
and on netkb's page helpers; of any other object, only its ``get``/``items``/``keys``/
``values`` (reading a mapping).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

# Modules whose objects' methods a template may call.
CALLABLE_FROM = frozenset(
    {"builtins", "datetime", "markupsafe", "jinja2.runtime", "jinja2.utils"}
    | {"netkb.render.page_context"}
)
READS = frozenset({"get", "items", "keys", "values"})


class Sandbox(SandboxedEnvironment):
    """The sandbox, with the calls a template may make narrowed (see the module)."""

    def is_safe_callable(self, obj: Any) -> bool:
        owner = getattr(obj, "__self__", None)  # of a bound method (a module's: of a builtin)
        if owner is not None:
            module = owner.__name__ if isinstance(owner, ModuleType) else type(owner).__module__
            if module not in CALLABLE_FROM and getattr(obj, "__name__", "") not in READS:
                return False
        return super().is_safe_callable(obj)
