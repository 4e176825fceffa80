"""The alert a reader gets, in Chinese: what was published, by whom, which measures touch the tracked sectors,
which stocks follow, and how Sina's links were judged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from policywatch.transforms.alerts.matching import AlertCandidate, RuleMatch
from policywatch.transforms.models import CHINA_TZ

__all__ = ["LINK_CLASS_ZH", "AlertMessage", "render_alert"]

LINK_CLASS_ZH = {
    "mention": "公司提及",
    "name_collision": "名称撞车（普通词语，并非指该公司）",
    "theme_stock": "主题股（泛指词，公司从事该业务）",
    "index": "指数",
}
_MAX_TICKERS_PER_THEME = 6
_MAX_MEASURES = 8


@dataclass(frozen=True, slots=True)
class AlertMessage:
    title: str
    body: str  #: Markdown


def _link_text(link: str | None) -> str:
    """The article's address; a loopback one (the offline demo's local replay of Sina) says so, since it
    answers only while the replay runs."""
    if not link:
        return "无"
    host = (urlsplit(link).hostname or "").lower()
    if host == "localhost" or host.startswith("127.") or host == "::1":
        return f"{link}（演示用本地回放，仅在演示运行时可打开）"
    return link


def render_alert(candidate: AlertCandidate, match: RuleMatch, theme_names: Mapping[str, str]) -> AlertMessage:
    def theme_label(theme_id: str) -> str:
        return f"{theme_names.get(theme_id, theme_id)}（{theme_id}）"

    kind = "标准化政策" if candidate.is_standardization else "政策" if candidate.is_policy else "资讯"
    title = f"【policywatch】{kind}：{candidate.title}"
    when = (
        candidate.published_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M（北京时间）")
        if candidate.published_at
        else "未知"
    )
    lines = [f"**{candidate.title}**", ""]
    lines.append(f"- 发布时间：{when}")
    if candidate.issuers:
        lines.append(f"- 发布机构：{'、'.join(candidate.issuers)}")
    if candidate.documents:
        lines.append(f"- 文件：{'、'.join('《' + d + '》' for d in candidate.documents[:3])}")
    lines.append(f"- 政策评分：{candidate.policy_score:.2f}（标准化 {candidate.standardization_score:.2f}）")
    lines.append(f"- 链接：{_link_text(candidate.url or candidate.origin_ref)}")
    hits = []
    if match.themes:
        hits.append("主题 " + "、".join(theme_label(t) for t in match.themes))
    if match.tickers:
        hits.append("股票 " + "、".join(f"{t.ticker} {t.name or ''}".strip() for t in match.tickers))
    if match.keywords:
        hits.append("关键词 " + "、".join(match.keywords))
    rule_text = f"{match.rule.id}" + (f"（{match.rule.description}）" if match.rule.description else "")
    lines.append(f"- 触发规则：{rule_text}；命中：{'；'.join(hits)}")

    if match.measures:
        lines += ["", "**相关举措**"]
        tracked = set(match.themes) | {theme for t in match.tickers for theme in t.themes}
        for measure in match.measures[:_MAX_MEASURES]:
            named = [(t, terms) for t, terms in measure.themes if t in tracked]
            described = "；".join(f"{theme_label(t)}：{'、'.join(terms)}" for t, terms in named)
            lines.append(f"- {measure.label}{measure.heading} — {described}")
            for theme_id, _ in named:
                members = [t for t in candidate.tickers if theme_id in t.themes and "theme" in t.vias]
                members.sort(key=lambda t: -t.confidence)
                stocks = "、".join(f"{t.ticker} {t.name or ''}".strip() for t in members[:_MAX_TICKERS_PER_THEME])
                if len(members) > _MAX_TICKERS_PER_THEME:
                    stocks += f" 等 {len(members)} 只（另有 {len(members) - _MAX_TICKERS_PER_THEME} 只未列出）"
                if stocks:
                    lines.append(f"  - {theme_names.get(theme_id, theme_id)} 相关股票：{stocks}")
        if len(match.measures) > _MAX_MEASURES:
            lines.append(f"- 另有 {len(match.measures) - _MAX_MEASURES} 条相关举措")
    if candidate.sina_links:
        lines += ["", "**新浪自动链接判定**"]
        for link in candidate.sina_links:
            verdict = LINK_CLASS_ZH.get(link.link_class or "", "未判定")
            lines.append(f"- {link.anchor_text} {link.ticker}：{verdict}")
    return AlertMessage(title=title, body="\n".join(lines))
