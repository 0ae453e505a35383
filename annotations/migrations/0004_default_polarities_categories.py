from django.db import migrations

DEFAULT_POLARITIES = [
    ("supports", "يؤيد", "#0b6e4f", 1),
    ("opposes", "يعارض", "#a8071a", 2),
    ("neutral", "محايد", "#5f6368", 3),
    ("mixed", "متباين", "#8a5a00", 4),
]

# Cue phrases are matched after Arabic folding (corpus.arabic.fold), so one spelling of each is enough;
# the variants are listed anyway so that the admin page shows what is meant.
DEFAULT_CATEGORIES = [
    ("related", "related links", "إقرأ أيضا\nاقرأ أيضاً\nمقالات ذات صلة\nأخبار ذات صلة\nمواضيع ذات صلة\nاقرأ المزيد\nشاهد أيضا"),
    ("navigation", "navigation", "السابق\nالتالي\nالرئيسية\nالمقال السابق\nالمقال التالي"),
    ("byline", "byline, dateline or credit", "المصدر:\nآخر تحديث\nتاريخ النشر\nبقلم\nكتب:\nتحرير:"),
    ("caption", "caption", "الصورة:\nصورة أرشيفية\n(أرشيفية)\nصورة من"),
    ("masthead", "masthead", "رئيس مجلس الإدارة\nرئيس التحرير\nجميع الحقوق محفوظة"),
    ("comments", "comments notice", "عذراً التعليقات مغلقة\nالتعليقات مغلقة\nأضف تعليقاً\nاترك تعليقاً"),
    ("tags", "tags", "كلمات دلالية\nالكلمات المفتاحية\nوسوم:"),
    ("share", "share or promo", "شارك\nشارك الخبر\nتابعونا\nاشترك في\nحمل تطبيق"),
    ("title", "repeated title", ""),
    ("other", "other", ""),
]

# Keys the reading view now uses for stances, evidence and boilerplate.
NEW_RESERVED_KEYS = ["s", "S", "e", "E", "b", "B"]


def add_defaults(apps, schema_editor):
    Polarity = apps.get_model("annotations", "Polarity")
    BoilerplateCategory = apps.get_model("annotations", "BoilerplateCategory")
    Label = apps.get_model("annotations", "Label")
    for name, display_name, colour, position in DEFAULT_POLARITIES:
        Polarity.objects.get_or_create(name=name, defaults={"display_name": display_name, "colour": colour, "position": position})
    for position, (name, display_name, cues) in enumerate(DEFAULT_CATEGORIES, start=1):
        BoilerplateCategory.objects.get_or_create(
            name=name, defaults={"display_name": display_name, "cue_phrases": cues, "position": position}
        )
    # A label set up earlier with one of these keys keeps working from the popup; its key is freed.
    Label.objects.filter(shortcut__in=NEW_RESERVED_KEYS).update(shortcut="")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0003_stances_boilerplate")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
