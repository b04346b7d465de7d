from vipdesk.lib.options import options


def test_it_escapes_values_and_labels_and_marks_the_selected_one():
    html = options([(1, "<b>Bo</b> & Co"), ('2"', "Al"), (3, "Cy")], selected=3)
    assert html == (
        '<option value="1">&lt;b&gt;Bo&lt;/b&gt; &amp; Co</option>'
        '<option value="2&quot;">Al</option>'
        '<option value="3" selected>Cy</option>'
    )


def test_it_marks_nothing_without_a_selection():
    assert "selected" not in options([(1, "A"), ("", "None")])
    assert options([], selected=1) == ""
