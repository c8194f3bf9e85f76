"""Names the pages show for codes (record types, SKOS note and mapping properties, styles).

Each is marked with :func:`N_` for extraction and translated where it is shown.
"""

from __future__ import annotations

from socsec.web.i18n import N_

RECORD_TYPES = {
    "article": N_("journal article"),
    "book": N_("book"),
    "chapter": N_("book chapter"),
    "report": N_("report"),
    "thesis": N_("thesis"),
    "legislation": N_("legislation"),
    "dataset": N_("dataset"),
    "paper-conference": N_("conference paper"),
    "webpage": N_("web page"),
    "other": N_("other"),
}
NOTES = {
    "definition": N_("Definition"),
    "scopeNote": N_("Scope note"),
    "example": N_("Example"),
    "historyNote": N_("History note"),
    "editorialNote": N_("Editorial note"),
    "changeNote": N_("Change note"),
    "note": N_("Note"),
}
MAPPINGS = {
    "exactMatch": N_("Exact match"),
    "closeMatch": N_("Close match"),
    "broadMatch": N_("Broader match"),
    "narrowMatch": N_("Narrower match"),
    "relatedMatch": N_("Related match"),
}
CITE_STYLES = {
    "apa": "APA",
    "chicago-author-date": N_("Chicago (author-date)"),
    "harvard": "Harvard",
}
LABEL_KINDS = {
    "pref": N_("Preferred label"),
    "alt": N_("Alternative labels"),
    "hidden": N_("Hidden labels (found, not shown)"),
    **NOTES,
}
RELATIONS = {
    "broader": N_("Broader"),
    "narrower": N_("Narrower"),
    "related": N_("Related"),
}
# What an editing page says after a redirect (``?done=``).
DONE = {
    "saved": N_("Saved."),
    "unchanged": N_("Nothing to save: no field was changed."),
    "created": N_("Added."),
    "deleted": N_("The record was deleted."),
    "merged": N_("Merged."),
    "deprecated": N_("The concept is deprecated."),
    "undone": N_("The last change was undone."),
    "undo_stale": N_(
        "The thesaurus changed meanwhile: nothing was undone. Check the recent changes."
    ),
    "accepted": N_("Subjects accepted."),
    "rejected": N_("Suggestions rejected."),
    "stale": N_("The record changed while you reviewed it: nothing was written. Review it again."),
    "accepted_but_stale": N_(
        "Subjects accepted, except for records changed meanwhile: review those again."
    ),
    "imported": N_("File imported."),
}
