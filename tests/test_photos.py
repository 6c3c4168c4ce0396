"""Photos: an image file inside the KB, saved from vCards on import, shown small on the site,
never a URL, and never copied into the site for a private person."""

from __future__ import annotations

import base64
from pathlib import Path

from conftest import write_kb
from helpers_import import make_kb, run

from netkb.build.site import BuildResult
from netkb.build.site import build as build_site
from netkb.load.loader import load

# A 1×1 PNG and a 1×1 GIF: real images, small enough to read in the test.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
PRIVATE_GIF = GIF + b"sabine-only"  # bytes no other file of the site holds


def test_a_photo_must_be_an_image_file_inside_the_kb(make_kb, problems_of) -> None:
    root = make_kb(
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\nphoto: photos/ana.png\n---\n",
            "contacts/url.md": "---\nname: Bo Url\nphoto: https://x.example/bo.jpg\n---\n",
            "contacts/out.md": "---\nname: Cy Out\nphoto: ../cy.jpg\n---\n",
            "contacts/gone.md": "---\nname: Di Gone\nphoto: photos/di.jpg\n---\n",
            "contacts/text.md": "---\nname: Ed Text\nphoto: photos/notes.txt\n---\n",
            "photos/ana.png": PNG,
            "photos/notes.txt": "not an image",
        }
    )
    assert problems_of(root) == [
        "contacts/gone.md:3:8: error NK172: photo 'photos/di.jpg': no such file in the "
        "knowledge base",
        "contacts/out.md:3:8: error NK172: photo must be a path inside the knowledge base, "
        "from its top folder, such as photos/jane-doe.jpg, not '../cy.jpg'",
        "contacts/text.md:3:8: error NK172: photo 'photos/notes.txt' is not an image file "
        "netkb shows (.gif, .jpeg, .jpg, .png, .webp)",
        "contacts/url.md:3:8: error NK172: photo must be an image file inside the knowledge "
        "base, not a URL ('https://x.example/bo.jpg'): save the image under photos/ and "
        "write photo: photos/NAME.jpg",
    ]
    assert load(root).people["ana-lee"].photo == "photos/ana.png"


def test_the_site_shows_public_photos_and_never_copies_a_private_one(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "kb",
        {
            "contacts/ana-lee.md": "---\nname: Ana Lee\nphoto: photos/ana.png\n---\n",
            "contacts/sabine.md": "---\nname: Sabine Secret\nprivate: true\n"
            "photo: photos/sabine.gif\n---\n",
            "photos/ana.png": PNG,
            "photos/sabine.gif": PRIVATE_GIF,
        },
        "site_name: T\nuse_directory_urls: false\nextra:\n  netkb:\n    owner: Test Owner\n",
    )
    result = build_site(root)
    assert result.ok, [p.format() for p in result.network.problems]
    site = result.site_dir
    assert site is not None
    assert (site / "photos" / "ana-lee.png").read_bytes() == PNG
    page = (site / "people" / "ana-lee.html").read_text(encoding="utf-8")
    assert '<img alt="Photo of Ana Lee" src="../photos/ana-lee.png" />' in page
    people = (site / "people.html").read_text(encoding="utf-8")
    assert '<img alt="" src="photos/ana-lee.png" />' in people
    # Nowhere in the site, under any name: not the file, not its bytes, not its path.
    for path in [*site.rglob("*"), *(root / result.network.settings.docs_dir).rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert b"sabine-only" not in data, path
            assert b"sabine.gif" not in data, path


VCARDS = f"""\
BEGIN:VCARD
VERSION:4.0
FN:Kari Hansen
PHOTO:data:image/png;base64,{base64.b64encode(PNG).decode()}
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Ola Nordmann
PHOTO;ENCODING=b;TYPE=GIF:{base64.b64encode(GIF).decode()}
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Per Olsen
PHOTO;VALUE=uri:https://photos.example/per.jpg
END:VCARD
"""


def test_vcard_photos_are_saved_inside_the_kb_and_urls_are_never_fetched(
    tmp_path: Path,
) -> None:
    root = make_kb(tmp_path / "kb")
    cards = tmp_path / "contacts.vcf"
    cards.write_text(VCARDS, encoding="utf-8")
    dry = run(root, "import", "vcard", str(cards))
    assert dry.exit_code == 0, dry.output
    assert (
        "contacts.vcf:11: Per Olsen: PHOTO is on another host "
        "(https://photos.example/per.jpg); netkb never fetches it"
    ) in dry.output
    assert not (root / "photos").exists()  # a dry run writes nothing

    applied = run(root, "import", "vcard", str(cards), "--apply")
    assert applied.exit_code == 0, applied.output
    assert (root / "photos/kari-hansen.png").read_bytes() == PNG
    assert (root / "photos/ola-nordmann.gif").read_bytes() == GIF
    assert sorted(p.name for p in (root / "photos").iterdir()) == [
        "kari-hansen.png",
        "ola-nordmann.gif",
    ]
    assert "photo: photos/kari-hansen.png\n" in (root / "contacts/kari-hansen.md").read_text()
    assert "photo:" not in (root / "contacts/per-olsen.md").read_text()
    network = load(root)
    assert network.problems == ()
    assert network.people["ola-nordmann"].photo == "photos/ola-nordmann.gif"


GOOGLE = (
    "Name,Given Name,Family Name,Photo\n"
    "Lea Berg,Lea,Berg,https://lh3.googleusercontent.com/contacts/lea\n"
    'Max Data,Max,Data,"data:image/png;base64,' + base64.b64encode(PNG).decode() + '"\n'
)


def test_google_photo_urls_are_noted_in_the_dry_run_and_never_fetched(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    csv = tmp_path / "contacts.csv"
    csv.write_text(GOOGLE, encoding="utf-8")
    dry = run(root, "import", "google", str(csv))
    assert dry.exit_code == 0, dry.output
    assert (
        "contacts.csv:2: Lea Berg: the photo is on another host "
        "(https://lh3.googleusercontent.com/contacts/lea); netkb never fetches it"
    ) in dry.output
    applied = run(root, "import", "google", str(csv), "--apply")
    assert applied.exit_code == 0, applied.output
    assert sorted(p.name for p in (root / "photos").iterdir()) == ["max-data.png"]
    assert "photo:" not in (root / "contacts/lea-berg.md").read_text()


def test_the_demo_shows_jonas_photo_and_never_sabines(built_demo: BuildResult) -> None:
    # contacts/sabine-vogt.md: private: true, photo: photos/sabine-vogt.png
    assert built_demo.site_dir is not None
    root = built_demo.network.root
    public, private = (
        (root / "photos/jonas-weber.png").read_bytes(),
        (root / "photos/sabine-vogt.png").read_bytes(),
    )
    assert (built_demo.site_dir / "photos/jonas-weber.png").read_bytes() == public
    copied = [p for p in built_demo.site_dir.rglob("*") if p.is_file()]
    assert [
        p for p in copied if p.read_bytes() == private or b"sabine-vogt.png" in p.read_bytes()
    ] == []
    page = (built_demo.site_dir / "people/jonas-weber.html").read_text(encoding="utf-8")
    assert 'src="../photos/jonas-weber.png"' in page


def test_serve_removes_the_photo_of_a_person_made_private(tmp_path: Path) -> None:
    from netkb.serve.live import LiveSite

    tom = "---\nname: Tom Quiet\nphoto: photos/tom.png\n---\n"
    root = write_kb(
        tmp_path / "kb",
        {"contacts/tom.md": tom, "contacts/ann.md": "---\nname: Ann\n---\n", "photos/tom.png": PNG},
    )
    site = LiveSite(root)
    site.build()
    shown, generated = root / "site/photos/tom.png", root / ".netkb/docs/photos/tom.png"
    assert shown.read_bytes() == PNG and generated.is_file()
    (root / "contacts/tom.md").write_text(tom[:-4] + "private: true\n---\n")
    update = site.update([root / "contacts/tom.md"])
    assert "photos/tom.png" in update.removed
    assert not shown.exists() and not generated.exists()


def test_a_build_removes_a_photo_no_page_shows_whoever_wrote_it(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"contacts/ann.md": "---\nname: Ann\nrole: A\n---\n"})
    assert build_site(root).ok
    # A photo left in the generated folder by a `netkb serve` session (its render state is
    # not the build's), of a person no longer public.
    (root / ".netkb/docs/photos").mkdir(exist_ok=True)
    (root / ".netkb/docs/photos/eve.png").write_bytes(PNG)
    (root / "contacts/ann.md").write_text("---\nname: Ann\nrole: B\n---\n")
    assert build_site(root).ok  # incremental
    assert not (root / ".netkb/docs/photos/eve.png").exists()
    assert not (root / "site/photos/eve.png").exists()
