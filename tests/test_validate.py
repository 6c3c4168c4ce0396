"""Cross-record checks: slug references, wikilinks, collisions, relations, duplicates."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from textwrap import dedent

from netkb.core.problems import CODES
from netkb.load.loader import load

JANE = "---\nname: Jane Doe\n---\n"
JOHN = "---\nname: John Smith\n---\n"
NO_SLUG = "a slug is a file name in contacts/ without .md"
KNOWN_TYPES = "colleague, family, friend, knows, manages, mentee, mentor, partner, reports_to"


# --- slug references -------------------------------------------------------------------


def test_a_dangling_introduced_by_is_an_error_with_a_suggestion(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\nintroduced_by: jon-smith\n---\n",
            "contacts/john-smith.md": JOHN,
        }
    )
    assert problems_of(root) == [
        "contacts/jane-doe.md:3:16: error NK140: introduced_by: no person has the slug "
        "'jon-smith'; did you mean 'john-smith'?"
    ]


def test_a_dangling_reference_far_from_any_slug_explains_what_a_slug_is(make_kb, problems_of):
    root = make_kb({"contacts/jane-doe.md": "---\nname: Jane Doe\nintroduced_by: xq\n---\n"})
    assert problems_of(root) == [
        f"contacts/jane-doe.md:3:16: error NK140: introduced_by: no person has the slug 'xq'; "
        f"{NO_SLUG}"
    ]


def test_a_name_used_instead_of_a_slug_says_which_slug_to_use(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\nintroduced_by: Johnny\n---\n",
            "contacts/jsmith.md": "---\nname: John Smith\naliases: [Johnny]\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/jane-doe.md:3:16: error NK140: introduced_by: no person has the slug "
        "'Johnny'; 'Johnny' is the name of 'jsmith', use the slug"
    ]


def test_slug_references_ignore_case(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\nintroduced_by: John-Smith\n---\n",
            "contacts/john-smith.md": JOHN,
        }
    )
    assert problems_of(root) == []


def test_each_dangling_relation_is_reported_where_it_is_written(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": dedent("""\
                ---
                name: Jane Doe
                relations:
                  reports_to: john-smyth
                  colleague:
                    - john-smith
                    - nobody
                  friend: [john-smith, jane-do]
                ---
                """),
            "contacts/john-smith.md": JOHN,
        }
    )
    assert problems_of(root) == [
        "contacts/jane-doe.md:4:15: error NK140: relations.reports_to: no person has the slug "
        "'john-smyth'; did you mean 'john-smith'?",
        f"contacts/jane-doe.md:7:7: error NK140: relations.colleague: no person has the slug "
        f"'nobody'; {NO_SLUG}",
        "contacts/jane-doe.md:8:24: error NK140: relations.friend: no person has the slug "
        "'jane-do'; did you mean 'jane-doe'?",
    ]


def test_a_dangling_person_in_a_log_entry_is_an_error(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": JANE,
            "log/2026-10-02-lunch.md": dedent("""\
                ---
                date: 2026-10-02
                with:
                  - jane-doe
                  - john-smith
                ---
                """),
            "log/call.md": "---\ndate: 2026-10-03\nwith: jane\n---\n",
        }
    )
    assert problems_of(root) == [
        f"log/2026-10-02-lunch.md:5:5: error NK140: with: no person has the slug "
        f"'john-smith'; {NO_SLUG}",
        "log/call.md:3:7: error NK140: with: no person has the slug 'jane'; "
        "did you mean 'jane-doe'?",
    ]


def test_a_person_listed_twice_in_one_entry_is_a_warning_at_the_repeat(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": JANE,
            "contacts/john-smith.md": JOHN,
            "log/lunch.md": "---\ndate: 2026-10-02\nwith: [jane-doe, John-Smith, jane-doe]\n---\n",
            "log/call.md": dedent("""\
                ---
                date: 2026-10-03
                with:
                  - jane-doe
                  - JANE-DOE
                  - Jane-Doe
                ---
                """),
        }
    )
    assert problems_of(root) == [
        "log/call.md:5:5: warning NK148: with: 'JANE-DOE' names jane-doe again "
        "(listed as 'jane-doe' before); the interaction counts once for them",
        "log/call.md:6:5: warning NK148: with: 'Jane-Doe' names jane-doe again "
        "(listed as 'jane-doe' before); the interaction counts once for them",
        "log/lunch.md:3:30: warning NK148: with: 'jane-doe' names jane-doe again; "
        "the interaction counts once for them",
    ]


def test_a_person_who_refers_to_themselves_gets_a_warning(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": dedent("""\
                ---
                name: Jane Doe
                introduced_by: jane-doe
                relations:
                  friend: [Jane-Doe]
                ---
                """)
        }
    )
    assert problems_of(root) == [
        "contacts/jane-doe.md:3:16: warning NK146: introduced_by names this same person",
        "contacts/jane-doe.md:5:12: warning NK146: friend: names this same person",
    ]


def test_an_organisation_slug_is_not_a_person(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\nintroduced_by: acme\n---\n",
            "orgs/acme.md": "---\nname: Acme Corp\n---\n",
        }
    )
    assert problems_of(root) == [
        f"contacts/jane-doe.md:3:16: error NK140: introduced_by: no person has the slug 'acme'; "
        f"{NO_SLUG}"
    ]


# --- wikilinks -------------------------------------------------------------------------


def test_wikilinks_by_slug_name_alias_and_with_a_label_resolve(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\naliases: [Annie]\n---\n",
            "orgs/acme.md": "---\nname: Acme Corp\naliases: [ACME]\n---\n",
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                ---
                Lunch with [[ana-lee]], [[Ana Lee]], [[annie]] and [[ana-lee|Ana]].
                She works at [[Acme Corp]] ([[acme]], [[ACME|the company]]).
                Accents and case do not matter: [[ANA  LEE]].
                """),
        }
    )
    assert problems_of(root) == []


def test_an_unresolved_wikilink_is_a_warning_at_its_line_and_column(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\n---\n",
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                ---
                # Notes

                Met [[ana-lee]] and [[Bob Stone]] at PyCon; [[bob|Bob]] too.
                """),
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:6:21: warning NK141: [[Bob Stone]] names no person or organisation; "
        "use a slug, a name or an alias",
        "contacts/jane.md:6:45: warning NK141: [[bob]] names no person or organisation; "
        "use a slug, a name or an alias",
    ]


def test_an_ambiguous_wikilink_is_a_warning_listing_the_choices(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\n---\n",
            "contacts/berlin/ana-lee-b.md": "---\nname: Ana Lee\ndistinct_from: ana-lee\n---\n",
            "log/lunch.md": "---\ndate: 2026-10-02\nwith: ana-lee\n---\nAsked [[Ana Lee]].\n",
        }
    )
    assert problems_of(root) == [
        "log/lunch.md:5:7: warning NK142: [[Ana Lee]] could be any of: ana-lee, ana-lee-b; "
        "link by slug instead"
    ]


def test_wikilinks_in_code_are_ignored(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                ---
                ```
                [[not-a-link]]
                ```

                ~~~markdown
                [[also-not]]
                ~~~

                Inline `[[code]]` is not a link, but [[this-is]].
                """),
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:12:38: warning NK141: [[this-is]] names no person or organisation; "
        "use a slug, a name or an alias"
    ]


def test_a_fence_closes_only_with_the_same_marker_at_least_as_long(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": dedent("""\
                ---
                name: Jane
                ---
                ~~~markdown
                ```
                [[inside-tildes]]
                ~~~
                ````python
                ```
                [[inside-four-backticks]]
                ````
                Now [[outside]].
                """),
        }
    )
    assert problems_of(root) == [
        "contacts/jane.md:12:5: warning NK141: [[outside]] names no person or organisation; "
        "use a slug, a name or an alias"
    ]


def test_wikilinks_in_organisation_notes_are_checked(make_kb, problems_of):
    root = make_kb({"orgs/acme.md": "---\nname: Acme\n---\nCEO: [[nobody]]\n"})
    assert problems_of(root) == [
        "orgs/acme.md:4:6: warning NK141: [[nobody]] names no person or organisation; "
        "use a slug, a name or an alias"
    ]


# --- slug collisions -------------------------------------------------------------------


def test_slugs_that_differ_only_in_case_collide_across_folders(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/Jane-Doe.md": "---\nname: Jane Doe\n---\n",
            "contacts/acme/jane-doe.md": "---\nname: Jane Doe (Acme)\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/acme/jane-doe.md:1:1: error NK143: slug 'jane-doe' is already used by "
        "contacts/Jane-Doe.md; slugs are unique ignoring case, so rename one of the files"
    ]
    assert list(load(root).people) == ["Jane-Doe"]


def test_a_slug_spelled_nfd_beside_its_nfc_twin_is_an_error_and_left_out(make_kb, problems_of):
    composed = unicodedata.normalize("NFC", "Zoë")
    decomposed = unicodedata.normalize("NFD", "Zoë")
    assert composed != decomposed
    root = make_kb(
        {
            f"contacts/{composed}.md": "---\nname: Zoë One\n---\n",
            f"contacts/other/{decomposed}.md": "---\nname: Zoë Two\n---\n",
        }
    )
    # Two spellings of one name would collide; the NFD one cannot be a page address at all.
    assert problems_of(root) == [
        f"contacts/other/{decomposed}.md:1:1: error NK147: file name '{decomposed}.md' cannot "
        "be part of a page address: its accents are written as separate characters "
        "(Unicode NFD); rename it, e.g. to zoe.md"
    ]
    assert [p.name for p in load(root).people.values()] == ["Zoë One"]


def test_a_reference_spelled_nfd_finds_the_nfc_file(make_kb, problems_of):
    root = make_kb(
        {
            f"contacts/{unicodedata.normalize('NFC', 'zoë')}.md": "---\nname: Zoë\n---\n",
            "contacts/jane.md": dedent(f"""\
                ---
                name: Jane
                introduced_by: {unicodedata.normalize("NFD", "Zoë")}
                ---
                """),
        }
    )
    assert problems_of(root) == []


def test_an_organisation_cannot_take_a_person_slug(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/acme.md": "---\nname: Acme Person\n---\n",
            "orgs/ACME.md": "---\nname: Acme\n---\n",
        }
    )
    assert problems_of(root) == [
        "orgs/ACME.md:1:1: error NK143: slug 'ACME' is already used by contacts/acme.md; "
        "slugs are unique ignoring case, so rename one of the files"
    ]


def test_log_entries_may_share_names_across_folders(make_kb, problems_of):
    entry = "---\ndate: 2026-10-02\nwith: jane\n---\n"
    root = make_kb(
        {"contacts/jane.md": JANE, "log/2025/lunch.md": entry, "log/2026/lunch.md": entry}
    )
    assert problems_of(root) == []
    assert len(load(root).interactions) == 2


# --- relations -------------------------------------------------------------------------


def test_reporting_to_each_other_is_a_contradiction(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana.md": "---\nname: Ana\nrelations:\n  reports_to: [bob]\n---\n",
            "contacts/bob.md": dedent("""\
                ---
                name: Bob
                relations:
                  colleague: [ana]
                  reports_to:
                    - carla
                    - ana
                ---
                """),
            "contacts/carla.md": "---\nname: Carla\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/bob.md:7:7: warning NK145: contradictory relations: bob reports_to ana, "
        "but ana reports_to bob"
    ]


def test_managing_and_reporting_to_the_same_person_is_a_contradiction(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana.md": dedent("""\
                ---
                name: Ana
                relations:
                  reports_to: bob
                  manages: bob
                ---
                """),
            "contacts/bob.md": "---\nname: Bob\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/ana.md:5:12: warning NK145: contradictory relations: ana manages bob, "
        "but ana reports_to bob"
    ]


def test_mentoring_each_other_is_a_contradiction(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana.md": "---\nname: Ana\nrelations: {mentor: [bob]}\n---\n",
            "contacts/bob.md": "---\nname: Bob\nrelations: {mentor: [ana]}\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/bob.md:3:22: warning NK145: contradictory relations: bob mentor ana, "
        "but ana mentor bob"
    ]


def test_both_sides_of_the_same_relation_agree(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana.md": "---\nname: Ana\nrelations: {reports_to: [bob], mentee: bob}\n---\n",
            "contacts/bob.md": dedent("""\
                ---
                name: Bob
                relations: {manages: [ana], mentor: [ana], colleague: [ana], friend: [ana]}
                ---
                """),
        }
    )
    assert problems_of(root) == []


def test_an_unknown_relation_type_is_a_warning_at_its_key(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/ana.md": dedent("""\
                ---
                name: Ana
                relations:
                  colleague: [bob]
                  golf_buddy: [bob]
                  boss_of:
                    - bob
                ---
                """),
            "contacts/bob.md": "---\nname: Bob\nrelations: {rival: ana}\n---\n",
        }
    )
    known = f"it is shown only on this page's side. Known types: {KNOWN_TYPES}"
    assert problems_of(root) == [
        f"contacts/ana.md:5:3: warning NK144: relation type 'golf_buddy' has no known inverse; "
        f"{known}",
        f"contacts/ana.md:6:3: warning NK144: relation type 'boss_of' has no known inverse; "
        f"{known}",
        f"contacts/bob.md:3:13: warning NK144: relation type 'rival' has no known inverse; {known}",
    ]


# --- possible duplicates ---------------------------------------------------------------


def test_the_same_email_in_two_files_is_a_possible_duplicate(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\nemail: jane@acme.example\n---\n",
            "contacts/janie.md": dedent("""\
                ---
                name: Janie
                email: [janie@home.example, Jane@ACME.example]
                ---
                """),
        }
    )
    assert problems_of(root) == [
        "contacts/janie.md:2:1: warning NK150: Janie (janie) may be the same person as "
        "Jane Doe (jane-doe): same email. If so: netkb merge jane-doe janie; if not, add "
        "distinct_from: [jane-doe] to this file"
    ]


def test_the_same_linkedin_url_is_a_possible_duplicate(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/a.md": "---\nname: Ana\nlinks: [https://www.linkedin.com/in/ana/]\n---\n",
            "contacts/b.md": "---\nname: Ana L.\nlinks: [http://linkedin.com/in/Ana?trk=x]\n---\n",
            "contacts/c.md": "---\nname: Other\nlinks: [https://linkedin.com/in/other]\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/b.md:2:1: warning NK150: Ana L. (b) may be the same person as Ana (a): "
        "same LinkedIn URL. If so: netkb merge a b; if not, add distinct_from: [a] to this file"
    ]


def test_a_near_identical_name_at_the_same_organisation_is_a_possible_duplicate(
    make_kb, problems_of
):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\norganization: Acme\n---\n",
            "contacts/jane-a-doe.md": "---\nname: Jane A. Doe\norganization: ACME\n---\n",
            "contacts/zoe.md": "---\nname: Zoë Müller\norganization: Globex\n---\n",
            "contacts/zoe-2.md": "---\nname: zoe  muller\norganization: globex\n---\n",
        }
    )
    assert problems_of(root) == [
        "contacts/jane-doe.md:2:1: warning NK150: Jane Doe (jane-doe) may be the same person as "
        "Jane A. Doe (jane-a-doe): same name at ACME. If so: netkb merge jane-a-doe jane-doe; "
        "if not, add distinct_from: [jane-a-doe] to this file",
        "contacts/zoe.md:2:1: warning NK150: Zoë Müller (zoe) may be the same person as "
        "zoe  muller (zoe-2): same name at globex. If so: netkb merge zoe-2 zoe; "
        "if not, add distinct_from: [zoe-2] to this file",
    ]


def test_the_same_name_at_different_organisations_is_fine(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane-doe.md": "---\nname: Jane Doe\norganization: Acme\n---\n",
            "contacts/jane-doe-2.md": "---\nname: Jane Doe\norganization: Globex\n---\n",
            "contacts/jane-doe-3.md": "---\nname: Jane Doe\norganization: Initech\n---\n",
        }
    )
    assert problems_of(root) == []


def test_checks_start_fresh_on_every_load(make_kb):
    root = make_kb({"contacts/jane.md": "---\nname: Jane\nintroduced_by: nobody\n---\n"})
    assert load(root).problems == load(root).problems
    assert len(load(root).problems) == 1


def test_every_code_netkb_reports_is_in_the_catalogue():
    """Codes are stable and documented: one used in the source but missing from CODES fails."""
    package = Path(__file__).parent.parent / "netkb"
    used = set()
    for source in package.rglob("*.py"):
        used.update(re.findall(r"\"(NK\d{3})\"", source.read_text(encoding="utf-8")))
    assert used, "no codes found: the pattern no longer matches how codes are written"
    assert used <= set(CODES), sorted(used - set(CODES))
