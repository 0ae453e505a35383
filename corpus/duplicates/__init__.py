"""Near-duplicate paragraphs across articles: the same statement as several outlets printed it, kept as
families of near-identical text (each paragraph in at most one), so storage and work grow with the
paragraphs, never with the pairs among them.

- fingerprints: skeleton-folded words, shingles, band keys, line keys;
- families: the pass that places queued articles' paragraphs (enqueue, process_pending, rebuild), and the
  chrome rule that keeps an outlet's template lines out of families;
- reading: versions of a paragraph in other articles, their count, the shared-content groups, chrome hints.
"""

from .families import (  # noqa: F401
    CANDIDATES,
    CHROME_ARTICLES,
    CHROME_SHARE,
    CHUNK_ARTICLES,
    KEY_FAMILIES,
    THRESHOLD,
    enqueue,
    pending_count,
    process_pending,
    queue_all,
    rebuild,
)
from .fingerprints import BANDS, MIN_SHINGLES, band_keys, canonical, jaccard, line_key, shingle_words, shingles  # noqa: F401
from .reading import (  # noqa: F401
    VERSIONS_LISTED,
    chrome_lines,
    matches_of,
    other_article_counts,
    outlet_lines,
    shared_content_groups,
    version_total,
    versions_of,
)
