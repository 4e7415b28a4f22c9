"""Catalog imports: a documented CSV/JSON schema, and the OpenStax textbook export.

Both validate every row first, record every problem (row and column), and write nothing unless the
whole file is clean. Both end in ``_write_items``: one bulk write, keyed on (provider, external_id),
so a re-import reports created / updated / unchanged and changes nothing that did not change.
The schema is written down in ``trellis/catalog/README.md``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.utils import timezone

from trellis.catalog import openstax_skills
from trellis.catalog.hooks import items_changed
from trellis.catalog.models import Item, ItemSkill, Provider
from trellis.catalog.services import ITEM_EDITABLE_FIELDS
from trellis.core.importing import ImportReport
from trellis.skills.models import Skill

#: Columns of the catalog file. ``provider`` may be left out when the ``provider`` option is given.
COLUMNS = (
    "provider",
    "provider_name",
    "external_id",
    "title",
    "description",
    "body",
    "format",
    "duration_minutes",
    "level",
    "language",
    "launch_url",
    "license",
    "attribution",
    "collection",
    "section",
    "sequence",
    "skills",
    "published",
)
REQUIRED_COLUMNS = ("provider", "external_id", "title", "format")

LEVEL_NAMES = {
    "introductory": 1,
    "beginner": 2,
    "intermediate": 3,
    "advanced": 4,
    "expert": 5,
}
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_url_validator = URLValidator(schemes=["http", "https"])

#: Item fields an import sets (compared on re-import to tell updated from unchanged): every field a
#: person may edit except the key the import matches on.
ITEM_FIELDS = tuple(name for name in ITEM_EDITABLE_FIELDS if name != "external_id")


@dataclass
class CleanRow:
    row: int
    provider: str
    provider_name: str
    external_id: str
    fields: dict[str, Any]
    #: skill uri -> weight; None when the file has no skills column (tags are then left alone)
    skills: dict[str, float] | None = field(default=None)


# --- reading ---------------------------------------------------------------------------------------


def _read_bytes(source: Path | BinaryIO) -> tuple[bytes, str]:
    if isinstance(source, Path):
        return source.read_bytes(), source.name
    data = source.read()
    if isinstance(data, str):
        data = data.encode()
    return data, str(getattr(source, "name", "") or "")


def _decode(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def _is_json(name: str, text: str) -> bool:
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith(".json"):
        return True
    if lowered.endswith(".csv"):
        return False
    return text.lstrip()[:1] in ("[", "{")


def _rows_from_json(
    text: str, report: ImportReport
) -> tuple[list[tuple[int, dict[str, Any]]], set[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add_error(
            0, "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        )
        return [], set()
    if isinstance(data, dict):
        data = data.get("items")
    if not isinstance(data, list):
        report.add_error(0, "", 'expected a JSON array of objects or {"items": [...]}')
        return [], set()
    rows: list[tuple[int, dict[str, Any]]] = []
    keys: set[str] = set()
    for index, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            report.add_error(index, "", "each item must be a JSON object")
            continue
        rows.append((index, obj))
        keys.update(obj)
    return rows, keys


def _rows_from_csv(
    text: str, report: ImportReport
) -> tuple[list[tuple[int, dict[str, Any]]], set[str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = [
        (number, {k: (v or "").strip() for k, v in raw.items() if k is not None})
        for number, raw in enumerate(reader, start=2)
    ]
    return rows, set(header)


# --- cleaning one value ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _int(
    value: Any, column: str, row: int, report: ImportReport, *, default: int = 0
) -> int | None:
    text = _text(value)
    if text == "":
        return default
    try:
        number = int(text)
    except ValueError:
        report.add_error(row, column, f"must be a whole number, got {text!r}")
        return None
    if number < 0:
        report.add_error(row, column, f"must be 0 or more, got {number}")
        return None
    return number


def _level(value: Any, row: int, report: ImportReport) -> int | None:
    text = _text(value).lower()
    if text == "":
        return int(Item.Level.BEGINNER)
    if text in LEVEL_NAMES:
        return LEVEL_NAMES[text]
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    report.add_error(row, "level", f"must be 1-5 or one of {', '.join(LEVEL_NAMES)}, got {text!r}")
    return None


def _bool(value: Any, column: str, row: int, report: ImportReport) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text == "":
        return True
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    report.add_error(row, column, f"must be true or false, got {text!r}")
    return None


def _skills(value: Any, row: int, report: ImportReport) -> dict[str, float] | None:
    """CSV: "uri:weight;uri". JSON: a list of {"uri", "weight"} or of URI strings."""
    parsed: list[tuple[str, Any]] = []
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, str):
                parsed.append((entry.strip(), None))
            elif isinstance(entry, dict) and isinstance(entry.get("uri"), str):
                parsed.append((entry["uri"].strip(), entry.get("weight")))
            else:
                report.add_error(
                    row, "skills", 'each skill must be a URI or {"uri": ..., "weight": ...}'
                )
                return None
    else:
        text = _text(value)
        for part in filter(None, (p.strip() for p in text.split(";"))):
            # URIs contain ":" (http://…, trellis:…); the weight is the part after the last ":"
            # when it parses as a number.
            head, sep, tail = part.rpartition(":")
            if sep and head and _looks_like_number(tail):
                parsed.append((head.strip(), tail.strip()))
            else:
                parsed.append((part, None))
    result: dict[str, float] = {}
    for uri, raw_weight in parsed:
        weight: float
        if raw_weight is None or raw_weight == "":
            weight = 1.0
        else:
            try:
                weight = float(raw_weight)
            except (TypeError, ValueError):
                report.add_error(
                    row,
                    "skills",
                    f"weight of {uri} must be a number between 0 and 1, got {raw_weight!r}",
                )
                continue
            if not 0.0 <= weight <= 1.0 or math.isnan(weight):
                report.add_error(
                    row, "skills", f"weight of {uri} must be between 0 and 1, got {weight}"
                )
                continue
        if uri in result:
            report.add_error(row, "skills", f"{uri} is listed twice")
            continue
        result[uri] = weight
    return result


def _looks_like_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _clean_row(
    row: int, raw: dict[str, Any], report: ImportReport, *, default_provider: str
) -> CleanRow | None:
    errors_before = len(report.errors)
    provider = _text(raw.get("provider")) or default_provider
    if not provider:
        report.add_error(row, "provider", "required (a provider slug)")
    else:
        try:
            validate_slug(provider)
        except ValidationError:
            report.add_error(
                row, "provider", f"must be a slug (letters, digits, - and _), got {provider!r}"
            )
    external_id = _text(raw.get("external_id"))
    if not external_id:
        report.add_error(row, "external_id", "required")
    elif len(external_id) > 255:
        report.add_error(row, "external_id", "must be at most 255 characters")
    title = _text(raw.get("title"))
    if not title:
        report.add_error(row, "title", "required")
    elif len(title) > 300:
        report.add_error(row, "title", "must be at most 300 characters")
    fmt = _text(raw.get("format")).lower()
    if not fmt:
        report.add_error(row, "format", "required")
    elif fmt not in Item.Format.values:
        report.add_error(
            row, "format", f"must be one of {', '.join(Item.Format.values)}, got {fmt!r}"
        )
    duration = _int(raw.get("duration_minutes"), "duration_minutes", row, report)
    sequence = _int(raw.get("sequence"), "sequence", row, report)
    level = _level(raw.get("level"), row, report)
    language = _text(raw.get("language")) or "en"
    if not LANGUAGE_RE.match(language) or len(language) > 16:
        report.add_error(
            row,
            "language",
            f"must be a BCP 47 language tag such as en, en-GB or de, got {language!r}",
        )
    launch_url = _text(raw.get("launch_url"))
    if launch_url:
        try:
            _url_validator(launch_url)
        except ValidationError:
            report.add_error(row, "launch_url", f"must be an http or https URL, got {launch_url!r}")
        if len(launch_url) > 500:
            report.add_error(row, "launch_url", "must be at most 500 characters")
    license_ = _text(raw.get("license"))
    if len(license_) > 100:
        report.add_error(row, "license", "must be at most 100 characters")
    collection = _text(raw.get("collection"))
    section = _text(raw.get("section"))
    for column, value in (("collection", collection), ("section", section)):
        if len(value) > 300:
            report.add_error(row, column, "must be at most 300 characters")
    published = _bool(raw.get("published", ""), "published", row, report)
    objectives = raw.get("learning_objectives") or []
    if isinstance(objectives, str):
        objectives = [o.strip() for o in objectives.split("|") if o.strip()]
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        report.add_error(row, "learning_objectives", "must be a list of strings")
        objectives = []
    skills = _skills(raw.get("skills") or "", row, report) if "skills" in raw else None
    if len(report.errors) > errors_before:
        return None
    return CleanRow(
        row=row,
        provider=provider,
        provider_name=_text(raw.get("provider_name")),
        external_id=external_id,
        fields={
            "title": title,
            "description": _text(raw.get("description")),
            "body": _text(raw.get("body")),
            "format": fmt,
            "duration_minutes": duration,
            "level": level,
            "language": language,
            "launch_url": launch_url,
            "license": license_,
            "attribution": _text(raw.get("attribution")),
            "collection": collection,
            "section": section,
            "sequence": sequence,
            "learning_objectives": objectives,
            "is_published": published,
        },
        skills=skills,
    )


# --- the catalog file ------------------------------------------------------------------------------


def import_catalog_file(
    source: Path | BinaryIO,
    *,
    actor: Any = None,
    filename: str = "",
    provider: str = "",
    skip_unknown_skills: bool = False,
    **options: Any,
) -> ImportReport:
    """Import catalog items from a CSV or JSON file (schema in README.md). Writes only if clean.

    ``provider``: the provider slug for rows without one. ``skip_unknown_skills``: drop (and count in
    ``details["skill_tags_skipped"]``) tags whose skill is not in the database instead of rejecting
    the file; the demo uses it so that a partly loaded taxonomy does not stop the catalog."""
    report = ImportReport(kind="catalog")
    data, name = _read_bytes(source)
    name = filename or name
    try:
        text = _decode(data)
    except (UnicodeDecodeError, OSError):
        report.add_error(
            0, "", "the file must be UTF-8 text (CSV or JSON), optionally gzip-compressed"
        )
        return report
    is_json = _is_json(name, text)
    rows, columns = _rows_from_json(text, report) if is_json else _rows_from_csv(text, report)
    if not is_json:
        missing = [
            c for c in REQUIRED_COLUMNS if c not in columns and not (c == "provider" and provider)
        ]
        for column in missing:
            report.add_error(0, column, "required column is missing from the header")
        unknown = sorted(columns - set(COLUMNS) - {"learning_objectives", ""})
        if unknown:
            report.details["ignored_columns"] = unknown
        if missing:
            return report
    report.rows = len(rows)
    cleaned: list[CleanRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row, raw in rows:
        clean = _clean_row(row, raw, report, default_provider=provider)
        if clean is None:
            continue
        key = (clean.provider, clean.external_id)
        if key in seen:
            report.add_error(
                row, "external_id", f"duplicate of row {seen[key]} ({clean.external_id!r})"
            )
            continue
        seen[key] = row
        cleaned.append(clean)
    _check_providers(cleaned, report)
    skill_ids = _resolve_skills(cleaned, report, skip_unknown=skip_unknown_skills)
    if not report.ok:
        return report
    _write_items(cleaned, report, skill_ids=skill_ids, origin=ItemSkill.Origin.MANUAL)
    return report


def _check_providers(rows: list[CleanRow], report: ImportReport) -> None:
    known = set(
        Provider.objects.filter(slug__in={r.provider for r in rows}).values_list("slug", flat=True)
    )
    named = {r.provider for r in rows if r.provider_name}
    for r in rows:
        if r.provider not in known and r.provider not in named:
            report.add_error(
                r.row,
                "provider_name",
                f"provider {r.provider!r} is unknown; give provider_name to create it",
            )
            named.add(r.provider)  # one error per provider is enough


def _resolve_skills(
    rows: list[CleanRow], report: ImportReport, *, skip_unknown: bool
) -> dict[str, int]:
    uris = {uri for r in rows if r.skills for uri in r.skills}
    found = dict(Skill.objects.filter(uri__in=uris).values_list("uri", "id"))
    skipped = 0
    for r in rows:
        if not r.skills:
            continue
        for uri in list(r.skills):
            if uri in found:
                continue
            if skip_unknown:
                del r.skills[uri]
                skipped += 1
            else:
                report.add_error(r.row, "skills", f"unknown skill URI {uri!r}")
    if skip_unknown:
        report.details["skill_tags_skipped"] = skipped
        missing = sorted(uris - set(found))
        report.details["skills_missing"] = len(missing)
        if missing:
            report.details["skills_missing_sample"] = missing[:5]
    return found


def _write_items(
    rows: list[CleanRow], report: ImportReport, *, skill_ids: dict[str, int], origin: str
) -> None:
    """Create or update every row's item (bulk) and replace its tags of ``origin`` when given."""
    providers = {p.slug: p for p in Provider.objects.filter(slug__in={r.provider for r in rows})}
    for r in rows:
        if r.provider not in providers:
            providers[r.provider] = Provider.objects.create(
                slug=r.provider, name=r.provider_name or r.provider
            )
            report.details["providers_created"] = report.details.get("providers_created", 0) + 1
    existing: dict[tuple[int, str], Item] = {}
    for provider in providers.values():
        ids = [r.external_id for r in rows if r.provider == provider.slug]
        for start in range(0, len(ids), 500):
            for item in Item.objects.filter(
                provider=provider, external_id__in=ids[start : start + 500]
            ):
                existing[(provider.pk, item.external_id)] = item
    to_create: list[Item] = []
    to_update: list[Item] = []
    item_for_row: dict[int, Item] = {}
    changed_rows: set[int] = set()
    created_rows: set[int] = set()
    now = timezone.now()
    for r in rows:
        provider = providers[r.provider]
        found = existing.get((provider.pk, r.external_id))
        if found is None:
            item = Item(provider=provider, external_id=r.external_id, **r.fields)
            to_create.append(item)
            created_rows.add(r.row)
        elif any(getattr(found, name) != value for name, value in r.fields.items()):
            item = found
            for name, value in r.fields.items():
                setattr(item, name, value)
            item.updated_at = now
            to_update.append(item)
            changed_rows.add(r.row)
        else:
            item = found
        item_for_row[r.row] = item
    Item.objects.bulk_create(to_create, batch_size=200)
    if to_create and any(item.pk is None for item in to_create):  # backends without RETURNING
        keys = {(i.provider_id, i.external_id) for i in to_create}
        fetched = {
            (i.provider_id, i.external_id): i
            for i in Item.objects.filter(
                provider__in=providers.values(), external_id__in=[k[1] for k in keys]
            )
        }
        for row, item in item_for_row.items():
            if item.pk is None:
                item_for_row[row] = fetched[(item.provider_id, item.external_id)]
    if to_update:
        Item.objects.bulk_update(to_update, [*ITEM_FIELDS, "updated_at"], batch_size=200)
    tags_changed = _replace_tags(
        rows, item_for_row, skill_ids=skill_ids, origin=origin, report=report
    )
    items_changed(
        item.pk
        for row, item in item_for_row.items()
        if row in created_rows | changed_rows | tags_changed
    )
    for r in rows:
        if r.row in created_rows:
            report.created += 1
        elif r.row in changed_rows or r.row in tags_changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _replace_tags(
    rows: list[CleanRow],
    item_for_row: dict[int, Item],
    *,
    skill_ids: dict[str, int],
    origin: str,
    report: ImportReport,
) -> set[int]:
    """Make each item's tags of ``origin`` equal to the row's skills. Returns the rows whose tags changed."""
    tagged = [r for r in rows if r.skills is not None]
    if not tagged:
        return set()
    item_ids = [item_for_row[r.row].pk for r in tagged]
    current: dict[int, dict[int, ItemSkill]] = {}
    for start in range(0, len(item_ids), 500):
        for link in ItemSkill.objects.filter(item_id__in=item_ids[start : start + 500]):
            current.setdefault(link.item_id, {})[link.skill_id] = link
    to_create: list[ItemSkill] = []
    to_update: list[ItemSkill] = []
    to_delete: list[int] = []
    changed: set[int] = set()
    for r in tagged:
        item = item_for_row[r.row]
        wanted = {skill_ids[uri]: weight for uri, weight in (r.skills or {}).items()}
        links = current.get(item.pk, {})
        for skill_id, link in links.items():
            if link.origin == origin and skill_id not in wanted:
                to_delete.append(link.pk)
                changed.add(r.row)
        for skill_id, weight in wanted.items():
            current_link = links.get(skill_id)
            if current_link is None:
                to_create.append(
                    ItemSkill(item=item, skill_id=skill_id, weight=weight, origin=origin)
                )
                changed.add(r.row)
            elif current_link.weight != weight or current_link.origin != origin:
                current_link.weight, current_link.origin = weight, origin
                current_link.confidence = None
                to_update.append(current_link)
                changed.add(r.row)
    if to_delete:
        ItemSkill.objects.filter(pk__in=to_delete).delete()
    ItemSkill.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        ItemSkill.objects.bulk_update(to_update, ["weight", "origin", "confidence"], batch_size=500)
    report.details["skill_tags_created"] = report.details.get("skill_tags_created", 0) + len(
        to_create
    )
    report.details["skill_tags_updated"] = report.details.get("skill_tags_updated", 0) + len(
        to_update
    )
    report.details["skill_tags_removed"] = report.details.get("skill_tags_removed", 0) + len(
        to_delete
    )
    return changed


# --- OpenStax --------------------------------------------------------------------------------------

OPENSTAX_PROVIDER = "openstax"
OPENSTAX_NAME = "OpenStax"
OPENSTAX_LICENSE = "CC BY 4.0"
OPENSTAX_CATALOG = "catalog.jsonl.gz"
#: The compact attribution file the demo ships (written by scripts/build_demo_catalog.py).
OPENSTAX_ATTRIBUTION_JSON = "openstax-attribution.json"
_ATTRIBUTION_LINE = re.compile(r"^- \*\*(?P<title>.+?)\*\* — (?P<line>.+)$")
_ACCESS_URL = re.compile(r"Access for free at (?P<url>https://openstax\.org/\S+)")
DESCRIPTION_CHARS = 300


def parse_openstax_sources(text: str) -> dict[str, dict[str, str]]:
    """Book title -> {"attribution", "url"} from the "Attribution lines" section of SOURCES.md."""
    books: dict[str, dict[str, str]] = {}
    in_section = False
    for line in text.splitlines():
        if line.startswith("## "):
            in_section = line.strip().lower().startswith("## attribution lines")
            continue
        match = _ATTRIBUTION_LINE.match(line.strip()) if in_section else None
        if match is None:
            continue
        title = match["title"].strip()
        body = re.sub(
            r"\s*\[[^\]]*\]\s*$", "", match["line"]
        ).strip()  # drop the "[15 chapters, …]" counts
        body = re.sub(r"\s+\.", ".", body)  # "…/1-introduction ." -> "…/1-introduction."
        url_match = _ACCESS_URL.search(match["line"])
        books[title] = {
            "attribution": f"{title} — {body}",
            "url": url_match["url"].rstrip(".") if url_match else "",
        }
    return books


def _openstax_files(source: Path) -> tuple[Path, dict[str, dict[str, str]] | None]:
    catalog = source / OPENSTAX_CATALOG if source.is_dir() else source
    folder = catalog.parent
    sources_md = folder / "SOURCES.md"
    if sources_md.exists():
        return catalog, parse_openstax_sources(sources_md.read_text(encoding="utf-8"))
    for name in (OPENSTAX_ATTRIBUTION_JSON + ".gz", OPENSTAX_ATTRIBUTION_JSON):
        path = folder / name
        if path.exists():
            raw = path.read_bytes()
            return catalog, json.loads(_decode(raw))
    return catalog, None


def _first_chars(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def import_openstax(source: Path | str, *, actor: Any = None, **options: Any) -> ImportReport:
    """Import OpenStax ``catalog.jsonl.gz`` (a file, or the folder holding it) as book-section items."""
    report = ImportReport(kind="openstax")
    source = Path(source)
    catalog, books = _openstax_files(source)
    if not catalog.exists():
        report.add_error(0, "", f"{catalog} not found")
        return report
    if books is None:
        report.add_error(
            0,
            "attribution",
            f"no SOURCES.md or {OPENSTAX_ATTRIBUTION_JSON}(.gz) next to {catalog.name}",
        )
        return report
    opener = gzip.open if catalog.name.endswith(".gz") else open
    cleaned: list[CleanRow] = []
    seen: dict[str, int] = {}
    with opener(catalog, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        for row, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            report.rows += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                report.add_error(row, "", f"not valid JSON: {exc.msg}")
                continue
            clean = _openstax_row(row, record, books, report)
            if clean is None:
                continue
            if clean.external_id in seen:
                report.add_error(row, "id", f"duplicate of line {seen[clean.external_id]}")
                continue
            seen[clean.external_id] = row
            cleaned.append(clean)
    skill_ids = _resolve_skills(cleaned, report, skip_unknown=True)
    if not report.ok:
        return report
    for r in cleaned:
        r.provider_name = OPENSTAX_NAME
    if not Provider.objects.filter(slug=OPENSTAX_PROVIDER).exists():
        Provider.objects.create(
            slug=OPENSTAX_PROVIDER,
            name=OPENSTAX_NAME,
            url="https://openstax.org/",
            description="Free, openly licensed textbooks from Rice University.",
            default_license=OPENSTAX_LICENSE,
        )
        report.details["providers_created"] = 1
    _write_items(cleaned, report, skill_ids=skill_ids, origin=ItemSkill.Origin.MANUAL)
    report.details["books"] = len({r.fields["collection"] for r in cleaned})
    return report


def _openstax_row(
    row: int, record: dict[str, Any], books: dict[str, dict[str, str]], report: ImportReport
) -> CleanRow | None:
    errors_before = len(report.errors)
    for key in ("id", "book_title", "section_title", "text"):
        if not record.get(key):
            report.add_error(row, key, "required")
    if len(report.errors) > errors_before:
        return None
    book = record["book_title"]
    slug = record.get("book_slug") or ""
    meta = books.get(book)
    attribution = meta["attribution"] if meta else _text(record.get("attribution"))
    launch_url = (meta or {}).get("url") or _text(record.get("url"))
    if not attribution:
        report.add_error(row, "attribution", f"no attribution line for the book {book!r}")
        return None
    objectives = [str(o).strip() for o in record.get("learning_objectives") or [] if str(o).strip()]
    text = record["text"]
    minutes = record.get("reading_minutes")
    if minutes is None:
        minutes = (record.get("word_count") or len(text.split())) / 200
    number = _text(record.get("section_number"))
    chapter_number = record.get("chapter_number")
    chapter = _text(record.get("chapter_title"))
    return CleanRow(
        row=row,
        provider=OPENSTAX_PROVIDER,
        provider_name=OPENSTAX_NAME,
        external_id=record["id"],
        fields={
            "title": f"{number} {record['section_title']}".strip()[:300],
            "description": "; ".join(objectives) if objectives else _first_chars(text),
            "body": text,
            "format": Item.Format.BOOK_SECTION.value,
            "duration_minutes": max(1, math.ceil(float(minutes))),
            "level": openstax_skills.book_level(slug, book),
            "language": "en",
            "launch_url": launch_url,
            "license": OPENSTAX_LICENSE,
            "attribution": attribution,
            "collection": book[:300],
            "section": (f"{chapter_number} {chapter}".strip() if chapter_number else chapter)[:300],
            "sequence": int(record.get("order_index") or 0),
            "learning_objectives": objectives,
            "is_published": True,
        },
        skills=dict(openstax_skills.book_skills(slug)),
    )
