"""The event catalogue as a page people read: ``/asyncapi`` renders the service's AsyncAPI 3 document as HTML.

One section per topic (channel), one entry per event type with its title, subject, contract version and the fields
of its ``data`` (name, type, required, description), and links between the JSON document and the page. Rendered on
the server from the document itself (no script, no external asset: the page works offline and cannot drift from the
contracts).
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:72rem;
color:#1f2933;line-height:1.5;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:2px solid #c2410c;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin:1.5rem 0 .3rem}code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #d1d5db;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f9fafb}.muted{color:#6b7280}nav a{margin-right:1rem}
"""


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s, defs) for s in schema["anyOf"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"list[{_type(schema.get('items', {}), defs)}]"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    if "const" in schema:
        return f"{kind} = {schema['const']!r}"
    if "enum" in schema:
        return " / ".join(str(v) for v in schema["enum"])
    return str(kind or "any")


def _fields(data: dict[str, Any]) -> str:
    defs = data.get("$defs", {})
    required = set(data.get("required", []))
    rows = []
    for name, schema in data.get("properties", {}).items():
        rows.append(
            f"<tr><td><code>{escape(name)}</code></td><td>{escape(_type(schema, defs))}</td>"
            f"<td>{'是 yes' if name in required else '否 no'}</td>"
            f"<td>{escape(str(schema.get('description', schema.get('title', ''))))}</td></tr>")
    if not rows:
        return "<p class='muted'>无字段 no fields</p>"
    return ("<table><tr><th>字段 field</th><th>类型 type</th><th>必填 required</th><th>说明 description</th></tr>"
            + "".join(rows) + "</table>")


def render(document: dict[str, Any], *, links: dict[str, str] | None = None) -> str:
    """The HTML page of an AsyncAPI 3 ``document`` (``links``: title → URL shown at the top, e.g. other services)."""
    info = document.get("info", {})
    messages: dict[str, Any] = document.get("components", {}).get("messages", {})
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{escape(info.get('title', ''))}"
             f"</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(info.get('title', '事件目录 Event catalogue'))}</h1>",
             f"<p>{escape(info.get('description', ''))}</p>",
             "<nav><a href='asyncapi.json'>AsyncAPI 3 JSON</a>"
             + "".join(f"<a href='{escape(url)}'>{escape(title)}</a>" for title, url in (links or {}).items())
             + "</nav>"]
    for channel_name, channel in document.get("channels", {}).items():
        parts.append(f"<h2 id='{escape(channel_name)}'>{escape(channel.get('address', channel_name))}</h2>")
        if channel.get("description"):
            parts.append(f"<p>{escape(channel['description'])}</p>")
        for ref in channel.get("messages", {}).values():
            key = ref.get("$ref", "").rsplit("/", 1)[-1]
            message = messages.get(key)
            if message is None:
                continue
            payload = message.get("payload", {})
            data = payload.get("properties", {}).get("data", {})
            if "$ref" in data:
                data = _resolve(document, payload, data["$ref"])
            parts.append(f"<h3 id='{escape(message.get('name', key))}'>{escape(message.get('title', key))}</h3>")
            parts.append(f"<p><code>{escape(message.get('name', key))}</code> — "
                         f"{escape(message.get('description', ''))}</p>")
            parts.append(_fields(data))
    parts.append("</body></html>")
    return "\n".join(parts)


def _resolve(document: dict[str, Any], payload: dict[str, Any], ref: str) -> dict[str, Any]:
    """A ``#/...`` reference inside the payload's own definitions or the document's components."""
    name = ref.rsplit("/", 1)[-1]
    for defs in (payload.get("$defs", {}), document.get("components", {}).get("schemas", {})):
        if name in defs:
            found: dict[str, Any] = defs[name]
            return found
    return {}
