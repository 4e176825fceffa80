"""The linkage evaluation: hand-labelled real posts, linked as the pipeline links them, scored per class.

A set is a folder with ``labels.yaml`` (one entry per post: its Sina links labelled mention / name_collision /
theme_stock / index with a reason, and for some posts the companies named without a link and the codes
written in the text) and ``posts/`` (the archive posts, byte-exact). The repository's set is
``tests/fixtures/linkage_eval`` (its SOURCES.md says where each post comes from); ``bench/linkage.py`` prints
its figures and ``docs/linkage-evaluation.md`` quotes them.

A broken labels file is an error naming the line; a post that is missing or does not parse, a label that finds
no link and a link without a label are errors naming the post: the figures never stand on part of the set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from policywatch.transforms.errors import ConfigError, InputError
from policywatch.transforms.linking.context import LinkingContext
from policywatch.transforms.linking.evaluation import (
    LINK_CLASSES,
    ClassScore,
    LinkLabel,
    LinkOutcome,
    PostLabels,
    UnlistedLabel,
    UnlistedOutcome,
    compare_unlisted,
    confusion,
    match_links,
    score_links,
    score_unlisted,
)
from policywatch.transforms.linking.linker import LinkedArticle, link_article
from policywatch.transforms.linking.name_matcher import NameScanner
from policywatch.transforms.models import Article
from policywatch.transforms.sina.article import parse_archive_post
from policywatch.transforms.yaml_lines import describe_validation_error, load_yaml_with_lines

__all__ = ["Evaluation", "evaluate_set", "format_report", "parse_labels"]


class _Link(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^(sh|sz|bj)\d{6}$")
    anchor: str = Field(min_length=1)
    near: str = Field(min_length=1)
    label: Literal["mention", "name_collision", "theme_stock", "index"]
    reason: str = Field(min_length=1)
    sure: bool = True


class _Unlisted(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["name_mention", "text_code"]
    code: str = Field(pattern=r"^(sh|sz|bj)\d{6}$")
    name: str | None = None  #: as the text writes it (name_mention)
    raw: str | None = None  #: as the text writes it (text_code)
    near: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class _Post(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    post: str = Field(min_length=1)
    kind: Literal["policy", "news"]
    links: tuple[_Link, ...]
    unlisted: tuple[_Unlisted, ...] | None = None


class _Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    posts: tuple[_Post, ...] = Field(min_length=1)


def parse_labels(text: str, source: str = "labels.yaml") -> tuple[PostLabels, ...]:
    """The labels of a set; a ConfigError naming the line for anything malformed."""
    data, lines = load_yaml_with_lines(text, source)
    try:
        parsed = _Labels.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(exc, lines, source, "linkage labels") from None
    seen: dict[str, int] = {}
    posts = []
    for i, post in enumerate(parsed.posts):
        line = lines[("posts", i)]
        if post.post in seen:
            raise ConfigError(f"{source}, line {line}: {post.post} is labelled twice (first at line {seen[post.post]})")
        seen[post.post] = line
        links = tuple(
            LinkLabel(
                link.code, link.anchor, link.near, link.label, link.reason, link.sure, lines[("posts", i, "links", j)]
            )
            for j, link in enumerate(post.links)
        )
        unlisted = (
            None
            if post.unlisted is None
            else tuple(
                UnlistedLabel(u.kind, u.code, u.reason, lines[("posts", i, "unlisted", j)])
                for j, u in enumerate(post.unlisted)
            )
        )
        posts.append(PostLabels(post.post, post.kind, links, unlisted))
    return tuple(posts)


@dataclass(frozen=True)
class Evaluation:
    links: tuple[LinkOutcome, ...]
    unlisted: tuple[UnlistedOutcome, ...]
    posts: int
    policy_posts: int
    unlisted_posts: int  #: posts whose unlinked names are labelled

    @property
    def scores(self) -> tuple[ClassScore, ...]:
        return score_links(self.links)

    @property
    def unlisted_scores(self) -> tuple[ClassScore, ...]:
        return score_unlisted(self.unlisted)

    @property
    def false_mentions(self) -> tuple[LinkOutcome, ...]:
        """Sure labels the linker calls a mention and the labeller does not."""
        return tuple(o for o in self.links if o.label.sure and o.predicted == "mention" and o.label.label != "mention")


def _unlisted_found(article: Article, linked: LinkedArticle) -> list[tuple[str, str, str]]:
    """What the pipeline reports beyond Sina's links: companies named (not indices; not the companies Sina
    linked anywhere in the post) and every code written in the text."""
    sina = {link.code for link, _ in linked.judgements}
    found = [("name_mention", m.code, m.evidence) for m in linked.mentions if m.kind != "index" and m.code not in sina]
    found += [("text_code", c.code, f"the text writes {c.raw}") for c in article.text_codes]
    return found


def evaluate_set(folder: Path, ctx: LinkingContext, scanner: NameScanner | None = None) -> Evaluation:
    """Parse and link every labelled post of the set in ``folder``, and pair the labels with the judgements."""
    labels_path = folder / "labels.yaml"
    posts = parse_labels(labels_path.read_text(encoding="utf-8"), str(labels_path))
    scanner = scanner or NameScanner(ctx.master)
    links: list[LinkOutcome] = []
    unlisted: list[UnlistedOutcome] = []
    for labels in posts:
        path = folder / "posts" / labels.post
        if not path.is_file():
            raise InputError(f"{labels_path}: the post {labels.post} is not in {path.parent}", reason="missing_post")
        article = parse_archive_post(path.read_bytes())
        linked = link_article(article, ctx, scanner)
        links += match_links(labels, article.text, linked.judgements)
        unlisted += compare_unlisted(labels, _unlisted_found(article, linked))  # type: ignore[arg-type]
    return Evaluation(
        tuple(links),
        tuple(unlisted),
        posts=len(posts),
        policy_posts=sum(p.kind == "policy" for p in posts),
        unlisted_posts=sum(p.unlisted is not None for p in posts),
    )


def _figure(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def format_report(evaluation: Evaluation) -> str:
    """Per-class precision and recall, the confusion matrix, and every disagreement with its two reasons."""
    sure = [o for o in evaluation.links if o.label.sure]
    out = [
        f"{evaluation.posts} posts ({evaluation.policy_posts} policy), {len(evaluation.links)} Sina links labelled, "
        f"{len(sure)} sure ({sum(o.kind == 'policy' for o in sure)} in policy posts)",
        "",
        f"{'class':<16}{'labelled':>9}{'predicted':>10}{'correct':>8}{'precision':>10}{'recall':>8}",
    ]
    for s in evaluation.scores:
        out.append(
            f"{s.name:<16}{s.labelled:>9}{s.predicted:>10}{s.correct:>8}{_figure(s.precision):>10}{_figure(s.recall):>8}"
        )
    matrix = confusion(evaluation.links)
    out += [
        "",
        "confusion (rows: label, columns: policywatch)",
        f"{'':<16}" + "".join(f"{c:>16}" for c in LINK_CLASSES),
    ]
    for row in LINK_CLASSES:
        out.append(f"{row:<16}" + "".join(f"{matrix[(row, col)]:>16}" for col in LINK_CLASSES))
    out += ["", f"unlinked names and written codes, {evaluation.unlisted_posts} posts"]
    for s in evaluation.unlisted_scores:
        out.append(
            f"{s.name:<16}{s.labelled:>9}{s.predicted:>10}{s.correct:>8}{_figure(s.precision):>10}{_figure(s.recall):>8}"
        )
    wrong = [o for o in evaluation.links if o.label.label != o.predicted]
    if wrong:
        out += ["", "disagreements (? = a label the labeller was not sure of)"]
    for o in wrong:
        mark = " " if o.label.sure else "?"
        out.append(f"{mark} {o.label.code} {o.label.anchor}: labelled {o.label.label}, policywatch {o.predicted}")
        out.append(f"    {o.post}: …{o.label.near}…")
        out.append(f"    label: {o.label.reason}")
        out.append(f"    policywatch: {o.reason}")
    misses = [u for u in evaluation.unlisted if u.labelled != u.found]
    if misses:
        out += ["", "unlinked names and codes that differ (+ found, not labelled; - labelled, not found)"]
    out += [f"{'+' if u.found else '-'} {u.kind} {u.code} in {u.post}: {u.evidence}" for u in misses]
    return "\n".join(out)
