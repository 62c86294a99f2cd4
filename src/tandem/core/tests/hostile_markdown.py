"""Hostile inputs for render_markdown: every one must come out without executable markup.

Kept as Python rather than a text file so invisible characters are written as visible escapes
(a corpus full of literal bidi overrides would itself be a Trojan Source hazard) and so very
large inputs can be built instead of stored. Add a case whenever a new trick turns up.
"""

from __future__ import annotations

RLO = "\u202e"  # right-to-left override
LRI = "\u2066"  # left-to-right isolate
PDI = "\u2069"  # pop directional isolate
ZWSP = "\u200b"  # zero-width space
ZWJ = "\u200d"  # zero-width joiner
BOM = "\ufeff"  # zero-width no-break space

HOSTILE_MARKDOWN: list[tuple[str, str]] = [
    # --- Raw HTML: must be shown as text (html is off) and never as markup.
    ("script-tag", "<script>alert(1)</script>"),
    ("script-uppercase", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("script-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-in-paragraph", "Hello <script>document.cookie</script> world"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("body-onload", "<body onload=alert(1)>"),
    ("svg-onload", "<svg onload=alert(1)><circle r=10 /></svg>"),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-animate-href", '<svg><a><animate attributeName=href values="javascript:alert(1)"/>'),
    ("math-href", '<math href="javascript:alert(1)">click</math>'),
    ("style-tag", "<style>body { background: url(javascript:alert(1)) }</style>"),
    ("style-attr", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("css-expression", '<div style="width: expression(alert(1))">x</div>'),
    ("iframe", '<iframe src="https://evil.example"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("object", '<object data="javascript:alert(1)"></object>'),
    ("embed", '<embed src="https://evil.example/x.swf">'),
    ("form-button", '<form action="https://evil.example"><button>Log in</button></form>'),
    ("input-autofocus", "<input autofocus onfocus=alert(1)>"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">'),
    ("base-href", '<base href="https://evil.example/">'),
    ("link-stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("html-comment", "<!-- <script>alert(1)</script> -->"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("processing-instruction", "<?xml-stylesheet href='javascript:alert(1)'?>"),
    ("a-tag-raw", '<a href="javascript:alert(1)">click</a>'),
    ("marquee", "<marquee onstart=alert(1)>x</marquee>"),
    ("unclosed-attribute", '<a href="x" onmouseover="alert(1)'),
    # --- Markdown links with dangerous schemes.
    ("link-javascript", "[click](javascript:alert(1))"),
    ("link-javascript-mixed-case", "[click](JaVaScRiPt:alert(1))"),
    ("link-javascript-leading-space", "[click]( javascript:alert(1))"),
    ("link-javascript-angle", "[click](<javascript:alert(1)>)"),
    ("link-javascript-tab-entity", "[click](jav&#x09;ascript:alert(1))"),
    ("link-javascript-newline-entity", "[click](jav&#x0A;ascript:alert(1))"),
    ("link-javascript-decimal-entities", "[click](&#106;&#97;&#118;&#97;script:alert(1))"),
    ("link-javascript-hex-colon", "[click](javascript&#x3A;alert(1))"),
    ("link-javascript-named-colon", "[click](javascript&colon;alert(1))"),
    ("link-javascript-percent", "[click](javascript%3Aalert(1))"),
    ("link-javascript-null", "[click](java\x00script:alert(1))"),
    ("link-vbscript", "[click](vbscript:msgbox(1))"),
    ("link-data-html", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("link-data-image", "[click](data:image/svg+xml,<svg onload=alert(1)>)"),
    ("link-file", "[click](file:///etc/passwd)"),
    ("link-title-breakout", '[click](https://ok.example "a\\" onmouseover=\\"alert(1))'),
    ("link-reference-javascript", "[click][x]\n\n[x]: javascript:alert(1)"),
    ("autolink-javascript", "<javascript:alert(1)>"),
    ("autolink-data", "<data:text/html,<script>alert(1)</script>>"),
    ("link-text-html", "[<img src=x onerror=alert(1)>](https://ok.example)"),
    # --- Images: none may survive as <img>, whatever the source.
    ("image-external", "![tracker](https://evil.example/pixel.png)"),
    ("image-javascript", "![x](javascript:alert(1))"),
    ("image-data-svg", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"),
    ("image-data-png", "![x](data:image/png;base64,iVBORw0KGgo=)"),
    ("image-onerror-alt", '![" onerror="alert(1)](x)'),
    ("image-reference", "![x][img]\n\n[img]: https://evil.example/x.png"),
    ("image-in-link", "[![x](https://evil.example/a.png)](javascript:alert(1))"),
    ("image-nested", "![![inner](javascript:alert(1))](https://evil.example/outer.png)"),
    # --- Entity tricks.
    ("entity-script", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("double-encoded", "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"),
    ("entity-in-code", "`&lt;script&gt;` and `<script>`"),
    ("numeric-lt", "&#60;script&#62;alert(1)&#60;/script&#62;"),
    ("fenced-code-html", "```html\n<script>alert(1)</script>\n```"),
    ("fenced-info-string", '```" onmouseover="alert(1)\ncode\n```'),
    # --- Tables: alignment becomes a style attribute in markdown-it and must be dropped.
    ("table-aligned", "| a | b |\n|:--|--:|\n| <script>x</script> | [l](javascript:x) |"),
    # --- Invisible characters.
    ("bidi-override", f"Click {RLO}gnp.exe{RLO} to continue"),
    ("bidi-isolate-link", f"[{LRI}https://bank.example{PDI}](https://evil.example)"),
    ("zero-width-in-scheme", f"[x](java{ZWSP}script:alert(1))"),
    ("zero-width-joiner", f"jav{ZWJ}ascript{BOM}:alert(1)"),
    ("bom-prefix", f"{BOM}<script>alert(1)</script>"),
    # Markdown decodes character references after the input was stripped.
    ("bidi-override-as-reference", "Click &#x202E;gnp.exe to continue"),
    ("bidi-isolate-as-decimal-reference", "[&#8295;https://bank.example](https://evil.example)"),
    ("bidi-override-reference-in-title", '[x](https://a.example "&#x202e;eltit")'),
    ("zero-width-as-named-reference", "jav&zwj;ascript&zwnj;:alert(1)"),
    # --- Size and nesting.
    ("deep-blockquote", ">" * 10_000 + " deep"),
    ("deep-blockquote-lines", "".join(">" * depth + " x\n" for depth in range(1, 500))),
    ("deep-list", "".join("  " * depth + "- item\n" for depth in range(500))),
    ("deep-list-inline", "- " * 5_000 + "x"),
    ("deep-emphasis", "*" * 5_000 + "x" + "*" * 5_000),
    ("deep-brackets", "[" * 5_000 + "x" + "](javascript:alert(1))" * 10),
    ("very-long", "<script>alert(1)</script> " * 12_000),
    ("very-long-single-line", "a" * 300_000),
]
