"""The mapping suggested for an import's columns (the preview, IM-2): header names people use.

Apart from `import_rows.py` (the mapping checked and the rows read), which the import worker runs
at every chunk; suggesting a mapping is the API's, once per import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chalicelib.domain.contacts import ChannelType
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.import_rows import EMAIL, PHONE, SIMPLE_TARGETS, parse_target
from chalicelib.domain.text import fold

if TYPE_CHECKING:
    from chalicelib.domain.properties import PropertyDef

# Header names people use, folded (lower case, no accents, single spaces), per target.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "full name", "contact", "contact name", "client", "client name", "customer", "customer name",
        "company", "company name", "lead", "lead name", "nom", "nom complet", "nom du client", "nom client",
        "raison sociale", "societe", "entreprise", "prenom nom", "nom prenom", "organisation", "organization",
    ),
    "status": ("status", "contact status", "statut", "individual or company", "particulier ou societe", "forme"),
    "type": ("type", "client type", "customer type", "type de client", "categorie", "category", "relation"),
    "phone:work": (
        "phone", "phone number", "telephone", "tel", "tel.", "work phone", "office phone", "business phone",
        "numero", "numero de telephone", "telephone fixe", "telephone pro", "telephone professionnel",
        "telephone bureau", "fixe", "phones", "telephones",
    ),
    "phone:mobile": ("mobile", "mobile phone", "cell", "cell phone", "cellphone", "portable", "telephone portable",
                     "tel portable", "gsm", "mobile number"),
    "phone:home": ("home phone", "telephone domicile", "domicile", "tel domicile"),
    "phone:personal": ("personal phone", "telephone personnel", "tel perso"),
    "email:work": (
        "email", "e-mail", "mail", "email address", "e-mail address", "adresse email", "adresse e-mail",
        "courriel", "adresse mail", "work email", "email pro", "e-mail pro", "emails",
    ),
    "email:personal": ("personal email", "email perso", "e-mail perso", "email personnel"),
    "address": ("address", "adresse", "postal address", "adresse postale", "street", "rue", "city", "ville"),
    "website": ("website", "web site", "site", "site web", "site internet", "url", "web", "homepage"),
    "comment": ("comment", "comments", "commentaire", "commentaires", "note", "notes", "description", "remarque",
                "remarques", "observations"),
    "tags": ("tags", "tag", "labels", "label", "etiquettes", "etiquette", "mots cles", "segment"),
    "responsible_email": (
        "responsible", "responsible email", "owner", "owner email", "manager", "manager email", "assigned to",
        "sales rep", "responsable", "email du responsable", "commercial", "gestionnaire", "attribue a",
    ),
}  # fmt: skip
_BY_SYNONYM = {word: target for target, words in _SYNONYMS.items() for word in words}
_SPACES = re.compile(r"[\s_]+")


def _folded_header(header: str) -> str:
    return _SPACES.sub(" ", fold(header).replace("-", " ").strip(" :*")).strip()


def suggest_mapping(headers: Sequence[str], properties: Sequence[PropertyDef]) -> dict[str, str | None]:
    """A target for each header we recognise (None for the others); each single field once."""
    own = {_folded_header(p.key): f"property:{p.key}" for p in properties}
    own |= {_folded_header(p.title): f"property:{p.key}" for p in properties}
    synonyms = {_folded_header(word): target for word, target in _BY_SYNONYM.items()}
    suggested: dict[str, str | None] = {}
    used: set[str] = set()
    for header in headers:
        if header in suggested:
            continue
        folded = _folded_header(header)
        target = own.get(folded) or synonyms.get(folded) or _as_target(header, properties)
        many = target is not None and target.split(":")[0] in (PHONE, EMAIL, "tags")
        if target is not None and (many or target not in used):
            suggested[header] = target
            used.add(target)
        else:
            suggested[header] = None
    return suggested


def _as_target(header: str, properties: Sequence[PropertyDef]) -> str | None:
    """A header that names a target itself (`phone:mobile`, as our exports write them)."""
    try:
        return str(parse_target(header, {p.key: p for p in properties}, field_name="header"))
    except ValidationError:
        return None


def target_choices(properties: Sequence[PropertyDef]) -> list[str]:
    """Every target a column can be mapped to, for the mapping screen."""
    channels = [t.value for t in ChannelType]
    return [
        *SIMPLE_TARGETS,
        *(f"phone:{c}" for c in channels),
        *(f"email:{c}" for c in channels),
        *(f"property:{p.key}" for p in properties),
    ]
