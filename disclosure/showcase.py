"""Blocks that other apps add to a unit's 特色阵地 (showcase) section without disclosure importing them
(DESIGN §3: ``projects`` depends on disclosure, not the reverse), like ``members.panels`` for the unit page.

A block is a function ``(request, unit) -> str | None`` returning rendered HTML (or None). Apps register
theirs in ``AppConfig.ready``:

    from disclosure.showcase import register_showcase_block
    register_showcase_block(projects.showcase.approved_projects_block)

The public unit page is cached and served to every anonymous visitor, so a block must show public content
only, contain no inline script or style, and run a fixed number of queries (the page's count is pinned).
When what a block shows changes (a project approved), its app calls
``disclosure.public_cache.public_pages_invalidate(organization=unit)``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from branches.models import Organization

ShowcaseBlock = Callable[[HttpRequest, Organization], str | None]
_BLOCKS: list[ShowcaseBlock] = []


def register_showcase_block(block: ShowcaseBlock) -> ShowcaseBlock:
    if block not in _BLOCKS:
        _BLOCKS.append(block)
    return block


def render_showcase_blocks(request: HttpRequest, unit: Organization) -> list[SafeString]:
    return [mark_safe(html) for block in _BLOCKS if (html := block(request, unit))]
