"""Fold an imported row into a person's fields without overwriting what the user wrote.

Lists (emails, phones, links, tags…) gain the items they lack. An empty field
is filled. A field the user filled keeps its value and the difference is
reported. The one exception is employment: a new organisation or role is set,
and the old ones move to a ``history`` entry so they stay visible.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from netkb.core.identity import as_list, missing_items
from netkb.core.references import Index, name_key
from netkb.load.fields import LIST_FIELDS, shown


def same_organisation(a: str, b: str, index: Index | None = None) -> bool:
    """Whether two ``organization`` values name one employer, by the shared matcher
    (``Index.same_organisation``): ACME = Acme Inc., and Globex = Globex Software GmbH
    only when an orgs/ file lists one as an alias of the other."""
    return (index or _NO_ORG_FILES).same_organisation(a, b)


_NO_ORG_FILES = Index({}, {})


class FieldMerger:
    """Folds offered fields into ``state`` (a person's front matter), describing each change."""

    def __init__(
        self,
        state: dict[str, Any],
        today: dt.date,
        employment: bool = True,
        index: Index | None = None,
    ) -> None:
        self.state = state
        self.index = index  # the KB's orgs/ files, for the shared organisation matcher
        self.today = today
        self.employment = employment
        self.changes: list[str] = []  # "organization Acme → Globex"
        self.kept: list[str] = []  # "location: kept 'Berlin', the import says 'Munich'"

    def fold(self, offered: dict[str, Any]) -> None:
        """Fold the fields of one row into the state."""
        offered = dict(offered)
        if self.employment:
            self._employment(offered.pop("organization", None), offered.pop("role", None))
        for key, value in offered.items():
            if key in LIST_FIELDS:
                self._list(key, as_list(value))
            elif key == "relations":
                self._relations(value)
            elif key == "name":
                if name_key(str(self.state.get("name", ""))) != name_key(value):
                    self._keep(key, value)
            else:
                self._scalar(key, value)

    def _keep(self, key: str, value: Any) -> None:
        current = self.state.get(key)
        if current is not None and not _equal(current, value):
            self.kept.append(f"{key}: kept {shown(current)!r}, the import says {shown(value)!r}")

    def _scalar(self, key: str, value: Any) -> None:
        current = self.state.get(key)
        if current is None:
            self.state[key] = value
            self.changes.append(f"{key} + {shown(value)}")
        elif not _consistent(key, current, value):
            self._keep(key, value)

    def _list(self, key: str, items: list[Any]) -> None:
        current = self.state.get(key)
        if current is not None and not isinstance(current, list | str):
            self.kept.append(f"{key}: not a list, nothing added ({shown(items)})")
            return
        added = missing_items(key, as_list(current), items)
        if added:
            self.state[key] = [*as_list(current), *added]
            self.changes.append(f"{key} + {shown(added)}")

    def _relations(self, offered: dict[str, list[str]]) -> None:
        current = self.state.get("relations")
        if current is not None and not isinstance(current, dict):
            self.kept.append(f"relations: not a mapping, nothing added ({shown(offered)})")
            return
        merged = {kind: list(as_list(targets)) for kind, targets in (current or {}).items()}
        for kind, targets in offered.items():
            added = missing_items("relations", merged.get(kind, []), targets)
            if added:
                merged[kind] = [*merged.get(kind, []), *added]
                self.changes.append(f"relations.{kind} + {shown(added)}")
        if merged != (current or {}):
            self.state["relations"] = merged

    def _employment(self, organization: str | None, role: str | None) -> None:
        old_org, old_role = self.state.get("organization"), self.state.get("role")
        texts = all(v is None or isinstance(v, str) for v in (old_org, old_role))
        moved = bool(organization and old_org and texts) and not same_organisation(
            str(organization), str(old_org), self.index
        )
        promoted = (
            not moved
            and bool(role and old_role and texts)
            and name_key(str(role)) != name_key(str(old_role))
        )
        if not (moved or promoted):
            # The same employer in another spelling (ACME Inc. for Acme, or an alias in
            # orgs/): the user's spelling stays, with nothing to report.
            if organization and not (old_org and texts):
                self._scalar("organization", organization)
            if role:
                self._scalar("role", role)
            return
        history = self.state.get("history")
        if history is not None and not isinstance(history, list):
            self.kept.append(
                "organization/role: 'history' is not a list, so the change to "
                f"{shown([v for v in (role, organization) if v])} is not recorded"
            )
            return
        entry = {
            key: value for key, value in (("organization", old_org), ("role", old_role)) if value
        }
        entry["until"] = self.today
        self.state["history"] = [*(history or []), entry]
        if moved:
            self.state["organization"] = organization
            self.changes.append(f"organization {old_org} → {organization}")
        elif organization and not old_org:
            self._scalar("organization", organization)
        if role and (old_role is None or name_key(str(role)) != name_key(str(old_role))):
            self.state["role"] = role
            self.changes.append(f"role {old_role or '(none)'} → {role}")
        elif moved and old_role and not role:
            del self.state["role"]
            self.changes.append(f"role {old_role} → (none: the import has no position)")
        self.changes.append(f"history + {shown(entry)}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return name_key(a) == name_key(b)
    return bool(a == b)


def _consistent(key: str, current: Any, offered: Any) -> bool:
    """Whether the user's value already says what the offered one says, or more.

    You met before you connected on LinkedIn, and the last contact is the latest one:
    an earlier ``met`` or a later ``last_contact`` in the file is no conflict.
    """
    if isinstance(current, dt.date) and isinstance(offered, dt.date):
        if key == "met":
            return current <= offered
        if key == "last_contact":
            return current >= offered
    return _equal(current, offered)
