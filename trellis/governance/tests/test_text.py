from trellis.governance.text import render_policy_text


def test_renders_headings_lists_bold_and_paragraphs() -> None:
    html = render_policy_text(
        "# Why\nWe **will** learn.\nTogether.\n\n- one\n- two\n\n## Who\nLena"
    )
    assert html == (
        "<h2>Why</h2><p>We <strong>will</strong> learn.<br>Together.</p>"
        "<ul><li>one</li><li>two</li></ul><h3>Who</h3><p>Lena</p>"
    )


def test_escapes_html() -> None:
    html = render_policy_text('<script>alert("x")</script>\n- <b>bold</b> & **<i>x</i>**')
    assert html == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"
        "<ul><li>&lt;b&gt;bold&lt;/b&gt; &amp; <strong>&lt;i&gt;x&lt;/i&gt;</strong></li></ul>"
    )
