"""Hash chain of the credit decision ledger (pure functions, no ORM).

Each company has its own chain. A decision's ``hash`` is the SHA-256 (hex) of the
previous decision's hash followed by the canonical JSON serialisation of the decision's
content (``HASHED_FIELDS``). The first decision of a chain links to ``GENESIS_HASH``,
the empty string. Changing, removing or inserting a row breaks every later link, and
the head row (last sequence and hash, kept per company) catches a removed tail.

Empty values are normalised before hashing (ids: 0, texts: ''), so that a value read
back from the database (NULL) hashes like the one given when the row was written.
"""

import hashlib
from datetime import datetime
from json.encoder import encode_basestring

#: previous_hash of the first decision of every company's chain.
GENESIS_HASH = ""

#: The decision's fields covered by its hash, in the serialisation.
INT_FIELDS = ("sequence", "company_id", "user_id", "partner_id", "res_id")
TEXT_FIELDS = ("kind", "old_value", "new_value", "comment", "res_model", "reference")
HASHED_FIELDS = ("date", *INT_FIELDS, *TEXT_FIELDS)

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# The payload's keys in sorted order, each with its kind: the payload is written
# field by field (a million rows are hashed per verification), byte for byte what
# json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) gives.
_SORTED_FIELDS = [
    (name, "int" if name in INT_FIELDS else "date" if name == "date" else "text")
    for name in sorted(HASHED_FIELDS)
]


def ledger_lock_keys(company_id):
    """Two int4 keys of the transaction advisory lock of a company's decision chain.

    The first key carries the namespace 'CD' in its high half (the credit check uses
    'CC', see credit_check.lock_keys), the second is the company.
    """
    return (0x43440000 | (company_id & 0xFFFF), company_id)


def format_date(value):
    """The decision date as hashed and stored: ISO text, seconds precision, UTC."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "seconds")
    return str(value)[:19]


def canonical_payload(values):
    """Canonical JSON text of a decision's hashed content (``values``: a mapping)."""
    parts = []
    for name, kind in _SORTED_FIELDS:
        value = values.get(name)
        if kind == "int":
            text = str(int(value or 0))
        elif kind == "date":
            text = encode_basestring(format_date(value))
        else:
            text = encode_basestring("" if value is None or value is False else str(value))
        parts.append(f'"{name}":{text}')
    return "{" + ",".join(parts) + "}"


def decision_hash(previous_hash, values):
    """SHA-256 hex digest of ``previous_hash`` + the canonical payload of ``values``."""
    text = (previous_hash or "") + canonical_payload(values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def as_text(value):
    """An old/new value as stored in the ledger: text, '' for None/False."""
    if value is None or value is False:
        return ""
    if hasattr(value, "_name") and hasattr(value, "display_name"):  # a recordset
        return ", ".join(value.mapped("display_name"))
    return str(value)
