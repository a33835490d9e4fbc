"""The question navigator's cells, rendered in one pass.

A simulation of 90 questions (or a practice set of 200) has that many cells on every card,
and the answer POST renders the card again: built with the template language the cells cost
about a third of the answer's time, here a small fraction. The markup is the same as a
template loop would give; every value in it is a number, a fixed word or an escaped URL.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def navigator_cells(cells, moves_save):
    """The ``<li>`` of each cell: in a simulation a button that sends the answer form with
    where to go (``moves_save``), elsewhere a link (htmx swaps the card)."""
    out = []
    for cell in cells:
        state = cell.state
        flagged = cell.flagged
        current = ' aria-current="step"' if cell.current else ""
        attributes = (
            f' class="nav-cell nav-{state}{" nav-flagged" if flagged else ""}"{current}'
            f' aria-label="Question {cell.position}, {state}{", flagged" if flagged else ""}"'
        )
        if moves_save:
            out.append(
                f'<li><button type="submit" form="answer-form" name="go" value="{cell.position}"'
                f" formnovalidate{attributes}>{cell.position}</button></li>"
            )
        else:
            url = escape(cell.url)
            out.append(f'<li><a href="{url}" hx-get="{url}"{attributes}>{cell.position}</a></li>')
    return mark_safe("\n".join(out))  # numbers, fixed words and escaped URLs
