"""``{% report_control question_id item_id next %}``: the "Report a problem" control.

Shown by the feedback card, the review and the bookmarks page; each decides whether it may
show it (never for a question of the learner's open simulation), the service refuses anyway.
"""

from django import template

from questions.forms import report_form

register = template.Library()


@register.inclusion_tag("questions/_report.html#control")
def report_control(question_id, item_id=None, next_url=""):
    return {
        "question_id": question_id,
        "form": report_form(question_id=question_id, item_id=item_id, next_url=next_url),
    }
