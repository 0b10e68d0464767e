"""Domain errors as sentences on a page, in the reader's language.

The errors' own `detail` is English for API clients; a page shows a translated sentence per
error code instead, plus the per-line sentences the policy already wrote in the customer's
language (a refused line says why in plain words).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from aftercare.core.errors import DomainError


def messages_for(error: DomainError) -> list[str]:
    code = error.code
    if code == "not_eligible":
        # The policy's sentences, one per refused line, already in the customer's language.
        return [_("The return policy does not allow this request:")] + [
            str(item.get("msg", "")) for item in error.errors
        ]
    sentence = {
        "invalid_request_lines": _(
            "Choose at least one item, and no more than can still be returned."
        ),
        "invalid_transition": _(
            "That step is not possible any more: the request has moved on. "
            "The page now shows where it stands."
        ),
        "no_active_policy": _("This shop does not take requests online yet."),
        "invalid_attachment": _(
            "Only photos (JPEG, PNG, GIF, WebP, HEIC), videos or voice recordings can be added."
        ),
        "attachment_too_large": _("A file is too large: photos may be at most 10 MB."),
        "attachment_limit": _("No more files can be added to this request."),
        "forbidden": _("You are not allowed to do that."),
        "not_found": _("That was not found."),
        "invalid_inspection": _("The inspection results do not match the request's items."),
        "above_authority": _("Above your authority: a supervisor must approve."),
        "invalid_exchange": _(
            "The replacement must be one of this shop's products, for the returned quantity."
        ),
        "invalid_replacement": _("Choose a replacement from this shop's products."),
        "out_of_stock": _("The replacement is out of stock; choose another."),
    }.get(code)
    if sentence is not None:
        return [sentence]
    if error.status == 422:
        return [_("Some fields are not valid. Please check them and try again.")] + [
            _field_problem(item) for item in error.errors
        ]
    return [_("That could not be done. Please try again.")]


def _field_problem(item: dict[str, object]) -> str:
    loc = item.get("loc") or []
    field = str(loc[-1]) if isinstance(loc, list | tuple) and loc else ""
    return f"{field}: {item.get('msg', '')}" if field else str(item.get("msg", ""))
