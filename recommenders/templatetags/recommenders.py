from django import template

from ..suggesting import filter_of, models_in

register = template.Library()


@register.inclusion_tag("recommenders/panel.html", takes_context=True)
def prediction_filter(context, article):
    """The reading view's controls for models' suggestions: which model, from what score (shown only where
    some model proposed something in the article)."""
    user = context["request"].user
    chosen, min_score = filter_of(user)
    return {
        "models": models_in(user, article),
        "chosen": chosen,
        "min_score": min_score,
        "article_id": article.pk,
        "csrf_token": context.get("csrf_token"),
    }
