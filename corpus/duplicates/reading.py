"""Reading the families: versions of a paragraph in other articles, how many articles, shared content, chrome.

Every function here costs a fixed number of queries whatever the number of paragraphs or family members.
"""

from itertools import combinations

from django.db import connection

from ..models import FamilyMember, OutletLine, ParagraphFamily
from .fingerprints import line_key
from .sql import select_in, table

VERSIONS_LISTED = 50  # other members listed per paragraph by matches_of (the most similar)
LINKED_PER_FAMILY = 12  # articles of one family paired up on the shared-content page (the oldest)
LINKS_PER_GROUP = 100  # article pairs listed per group there (those sharing most)


def _memberships(cursor, paragraph_ids):
    """{paragraph id: (family id, article id, similarity)} for those of these paragraphs that have a family."""
    sql = f"SELECT paragraph_id, family_id, article_id, similarity FROM {table(FamilyMember)} WHERE paragraph_id {{IN}}"
    return {pk: (family, article, similarity) for pk, family, article, similarity in select_in(cursor, sql, set(paragraph_ids))}


def versions_of(paragraph_ids):
    """({paragraph id: [(other paragraph id, similarity)]}, {paragraph id: N}) for these paragraphs: the other
    members of each one's family in other articles, most similar first, at most VERSIONS_LISTED, and the number
    N of other articles holding a member. Only paragraphs with versions appear. Members are never compared
    with each other: a pair's similarity is the smaller of the two similarities to the family's representative,
    exact when either is the representative (or identical to it). One query per article the paragraphs come
    from (one, on a page), plus two."""
    with connection.cursor() as cursor:
        own = _memberships(cursor, paragraph_ids)
        families = {family for family, _a, _s in own.values()}
        articles = dict(
            select_in(
                cursor,
                f"SELECT family_id, COUNT(DISTINCT article_id) FROM {table(FamilyMember)} WHERE family_id {{IN}} GROUP BY family_id",
                families,
            )
        )
        listed = {}  # {(family, article asking): [(paragraph, similarity)]}
        for article in {article for _f, article, _s in own.values()}:
            asked = {family for family, own_article, _s in own.values() if own_article == article and articles.get(family, 0) > 1}
            sql = (
                "SELECT family_id, paragraph_id, similarity FROM (SELECT family_id, paragraph_id, similarity, "
                "ROW_NUMBER() OVER (PARTITION BY family_id ORDER BY similarity DESC, paragraph_id) AS n "
                f"FROM {table(FamilyMember)} WHERE article_id <> %s AND family_id {{IN}}) ranked WHERE n <= {VERSIONS_LISTED} "
                "ORDER BY family_id, n"
            )
            for family, pk, similarity in select_in(cursor, sql, asked, article) if asked else ():
                listed.setdefault((family, article), []).append((pk, similarity))
    matches, counts = {}, {}
    for pk, (family, article, similarity) in own.items():
        found = listed.get((family, article))
        if found:
            matches[pk] = [(other, min(similarity, other_similarity)) for other, other_similarity in found]
            counts[pk] = articles[family] - 1  # the family's articles but the paragraph's own
    return matches, counts


def matches_of(paragraph_ids):
    """{paragraph id: [(other paragraph id, similarity)]}: versions_of's first half."""
    return versions_of(paragraph_ids)[0]


def other_article_counts(paragraph_ids):
    """{paragraph id: how many other articles hold a version of it} (the true number, not capped)."""
    return versions_of(paragraph_ids)[1]


def outlet_lines(source_id, paragraphs):
    """{paragraph id: (articles, chrome)} for the paragraphs whose line the pass has counted in this outlet: how
    many of the outlet's articles carry it, and whether that makes it the outlet's chrome. One query on the
    (outlet, line) key, whatever the size of the outlet."""
    keys = {}
    for paragraph in paragraphs:
        keys.setdefault(line_key(paragraph.text), []).append(paragraph.pk)
    if not keys:
        return {}
    with connection.cursor() as cursor:
        sql = f"SELECT key, articles, chrome FROM {table(OutletLine)} WHERE source_id = %s AND key {{IN}}"
        rows = select_in(cursor, sql, keys, source_id)
    return {pk: (articles, bool(chrome)) for key, articles, chrome in rows for pk in keys[key]}


def chrome_lines(source_id, paragraphs):
    """{paragraph id: articles} for the paragraphs whose line is chrome in this outlet (the number of the
    outlet's articles carrying it). One query."""
    return {pk: articles for pk, (articles, chrome) in outlet_lines(source_id, paragraphs).items() if chrome}


def shared_content_groups(articles):
    """Articles that share paragraphs, grouped: [(articles in the group, [(article, article, shared count)])],
    biggest group first. Groups are the connected parts of the "has a member in the same family" relation;
    a pair's count is the families the two share. Pairs are counted among each family's LINKED_PER_FAMILY
    oldest articles (a line carried by 1,000 articles is not 500,000 pairs) and listed up to LINKS_PER_GROUP
    per group; the groups themselves are exact. Two queries."""
    ids = {article.pk: article for article in articles}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.family_id, m.article_id FROM {table(FamilyMember)} m JOIN {table(ParagraphFamily)} f ON f.id = m.family_id "
            "WHERE f.articles > 1 GROUP BY m.family_id, m.article_id ORDER BY m.family_id, m.article_id"
        )
        rows = cursor.fetchall()
    by_family = {}
    for family, article in rows:
        if article in ids:
            by_family.setdefault(family, []).append(article)
    parent = {}

    def root(pk):
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    pairs = {}
    for members in by_family.values():
        if len(members) < 2:
            continue
        for other in members[1:]:
            parent[root(other)] = root(members[0])
        for pair in combinations(members[:LINKED_PER_FAMILY], 2):
            pairs[pair] = pairs.get(pair, 0) + 1
    groups, links = {}, {}
    for pk in list(parent):
        groups.setdefault(root(pk), []).append(pk)
    for (a, b), count in pairs.items():
        links.setdefault(root(a), []).append((ids[a], ids[b], count))
    result = []
    for top, members in groups.items():
        members.sort(key=lambda pk: (ids[pk].source.name, pk))
        group_links = sorted(links.get(top, []), key=lambda link: (-link[2], link[0].pk, link[1].pk))[:LINKS_PER_GROUP]
        result.append(([ids[pk] for pk in members], group_links))
    return sorted(result, key=lambda group: (-len(group[0]), -sum(link[2] for link in group[1])))


def version_total(paragraph_id):
    """How many paragraphs of other articles share this paragraph's family (matches_of lists the closest
    VERSIONS_LISTED of them). One query."""
    members = table(FamilyMember)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {members} m JOIN {members} own ON own.family_id = m.family_id "
            "WHERE own.paragraph_id = %s AND m.article_id <> own.article_id",
            [paragraph_id],
        )
        return cursor.fetchone()[0]
