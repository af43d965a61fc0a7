"""Property-based tests of the Markdown renderer: hostile input of any shape gives inert HTML.

Hypothesis generates the input: Markdown mixed with raw HTML and disguised URLs.
"""

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from editor.markdown import render
from tests.editor.footnote_ids import broken_footnote_links, id_problems
from tests.support.html_checks import active_content
from tests.support.hypothesis_setup import ANY_TEXT, PROPERTY, WITH_FIXTURES

MARKUP_FRAGMENTS = [
    "<script>", "</script>", "<script>alert(1)</script>", "<SCRIPT SRC=//x.test/x.js>",
    "<img src=x onerror=", "<img src=", "alert(1)>", " onerror=alert(1)", " onload=alert(1)",
    " onmouseover=alert(1)", " ONCLICK=alert(1)", " style=", ' style="color:red"',
    "<svg onload", "<svg onload=alert(1)>", "<svg>", "<math>", "<mtext>", "<mglyph>",
    "<iframe", "<iframe src=", "<iframe srcdoc=", "<object data=", "<embed src=",
    "<form action=", "<button formaction=", "<input autofocus onfocus=", "<base href=",
    "<meta http-equiv=refresh content=0;url=", "<link rel=import href=", "<style>",
    "</style>", "<template>", "<noscript>", "<textarea>", "<xmp>", "<plaintext>", "<title>",
    "<select>", "<details open ontoggle=", "<body onload=", "<p ", "<div ", "<table>",
    "<td ", "<b ", "<a ", "<a href=\"", "<a href='", "<a href=", "</a>", "<img ", "/>", ">",
    "<", '">', "'>", '"><', "'><", '"', "'", "=", "`", "``", "```", "```html\n", "~~~",
    "<!--", "-->", "--!>", "<!", "<![CDATA[", "]]>", "<?", "?>", "<!DOCTYPE html>",
    "[x](", "![x](", "](", ")", "(", "[", "]", "[x][1]", "![x][1]", "\n\n[1]: ", ' "t")',
    "<javascript:alert(1)>", "<https://a.test>", "javascript:", "JaVaScRiPt:", "vbscript:",
    "VBScript:", "data:text/html,", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,", "livescript:", "file:", "java\tscript:", "java\nscript:",
    "java\rscript:", "java\x00script:", " javascript:", "\tjavascript:", "\x01javascript:",
    "java&#x09;script:", "java&#9;script:", "jav&#x0A;ascript:", "jav&#x0D;ascript:",
    "java&Tab;script:", "java&NewLine;script:", "&#106;", "&#x6A;", "&#0000106", "&#x6a",
    "&#106;avascript:", "javascript&colon;", "javascript&#58;", "javascript&#x3A;",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;", "%6A%61vascript:",
    "&lt;script&gt;", "&#60;script&#62;", "&#x3C;img src=x onerror=alert(1)&#x3E;", "&amp;",
    "&", "&#", ";", ":", "alert(1)", "https://a.test/", "mailto:a@b.test", "tel:+15550100",
    "/relative/", "#top", "//evil.test", "\\", "*", "**", "_", "> ", "- ", "1. ", "    ",
    "\t", "\n", "\n\n", "\r\n", " ", "| a |\n|---|\n| ", "\x00", "\x01", "\x0b", "\x0c",
    "\x7f", "\x85", "\u00a0", "\u200b", "\u202e", "\u2028", "\ufeff", "\ufffd",
    "[^1]", "[^a]", "[^", "^]", "\n\n[^1]: ", "\n\n[^a]: ", "[^1-2]", ' id="', "fn-1",
    "#fnref-1", "https://", "http://a.test/",
]  # fmt: skip

DANGEROUS_SCHEMES = ["javascript", "vbscript", "data", "livescript", "file"]
# What may sit between the letters of a scheme name and still be dropped by a lenient parser.
SCHEME_NOISE = ["", "", "", "\t", "\n", "\r", " ", "\x00", "\x01", "&#9;", "&#x09;", "&#10;",
                "&#x0A;", "&#13;", "&Tab;", "&NewLine;", "&#0;", "\u00a0"]  # fmt: skip
COLONS = [":", ":", "&colon;", "&#58;", "&#x3A;", "&#x3a;", "&#0000058;", "%3A"]


@st.composite
def disguised_letter(draw, letter):
    """One letter of a scheme name: any case, perhaps as an entity, perhaps noise after it."""
    letter = draw(st.sampled_from([letter.lower(), letter.upper()]))
    form = draw(st.sampled_from(["plain", "plain", "plain", "decimal", "hex", "padded"]))
    if form == "decimal":
        letter = f"&#{ord(letter)};"
    elif form == "hex":
        letter = f"&#x{ord(letter):X};"
    elif form == "padded":
        letter = f"&#{ord(letter):07d}"
    return letter + draw(st.sampled_from(SCHEME_NOISE))


@st.composite
def disguised_urls(draw):
    scheme = draw(st.sampled_from(DANGEROUS_SCHEMES))
    letters = [draw(disguised_letter(letter)) for letter in scheme]
    lead = draw(st.sampled_from(["", "", " ", "\t", "\x01", "&#1;", "\x00", "  "]))
    rest = draw(st.sampled_from(["alert(1)", "text/html,<script>alert(1)</script>", "x"]))
    return lead + "".join(letters) + draw(st.sampled_from(COLONS)) + rest


@st.composite
def links(draw):
    """A URL (often a disguised one) inside each construct that can make a link or image."""
    url = draw(st.one_of(disguised_urls(), ANY_TEXT))
    template = draw(
        st.sampled_from(
            [
                "[x]({})",
                "![x]({})",
                "[x](<{}>)",
                '[x]({} "t")',
                "<{}>",
                "[x][r]\n\n[r]: {}\n",
                "![x][r]\n\n[r]: {}\n",
                '<a href="{}">x</a>',
                "<a href='{}'>x</a>",
                "<a href={}>x</a>",
                '<img src="{}">',
                "<img src={}>",
                '<iframe src="{}">',
                '<form action="{}">',
                '<object data="{}">',
                '<table background="{}">',
                '<img srcset="{}">',
                '<svg><a xlink:href="{}">x</a></svg>',
                "**[x]({})**",
                "> [x]({})",
                "- ![x]({})",
                "| [x]({}) |\n|---|\n| y |",
                "a[^n]\n\n[^n]: [x]({})",
                "a[^n]\n\n[^n]: {}",
                "a[^n]\n\n[^n]: https://a.test/{}",
            ]
        )
    )
    return template.format(url)


hostile_markdown = st.lists(
    st.one_of(ANY_TEXT, st.sampled_from(MARKUP_FRAGMENTS), disguised_urls(), links()),
    max_size=30,
).map("".join)


@hypothesis.settings(max_examples=300, suppress_health_check=WITH_FIXTURES, **PROPERTY)
@given(text=hostile_markdown)
def test_rendered_markdown_never_contains_active_content(text):
    output = render(text)

    assert isinstance(output, str)
    assert active_content(output) == [], output
    assert id_problems(output) == [], output
    assert broken_footnote_links(output) == [], output


@hypothesis.settings(max_examples=300, suppress_health_check=WITH_FIXTURES, **PROPERTY)
@given(
    url=disguised_urls(),
    template=st.sampled_from(
        [
            "[x]({})",
            "![x]({})",
            '<a href="{}">x</a>',
            '<img src="{}">',
            "[x][r]\n\n[r]: {}",
            "a[^n]\n\n[^n]: [x]({})",
            "a[^n]\n\n[^n]: {}",
        ]
    ),
)
def test_a_disguised_dangerous_url_never_survives_as_a_link(url, template):
    output = render(template.format(url))

    assert active_content(output) == [], output
