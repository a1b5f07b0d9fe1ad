"""Exports written for one test: a WXR 1.2 head, and the items the test needs."""

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
{doctype}<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>Le Site Hostile</title>
	<link>https://hostile.example.fr</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://hostile.example.fr</wp:base_site_url>
	<wp:base_blog_url>https://hostile.example.fr</wp:base_blog_url>
	<wp:author><wp:author_login>redac</wp:author_login>
		<wp:author_display_name>La Rédaction</wp:author_display_name></wp:author>
{terms}
{items}
</channel>
</rss>
"""


def post(wp_id, title="Un article", *, body="<p>Du texte.</p>", slug=None, status="publish",
         date="2024-03-01 10:00:00", gmt="2024-03-01 09:00:00", link=None, extra=""):  # fmt: skip
    slug = f"article-{wp_id}" if slug is None else slug
    link = f"https://hostile.example.fr/2024/03/{slug}/" if link is None else link
    return f"""<item>
		<title><![CDATA[{title}]]></title>
		<link>{link}</link>
		<dc:creator>redac</dc:creator>
		<content:encoded><![CDATA[{body}]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{wp_id}</wp:post_id>
		<wp:post_date>{date}</wp:post_date>
		<wp:post_date_gmt>{gmt}</wp:post_date_gmt>
		<wp:post_name><![CDATA[{slug}]]></wp:post_name>
		<wp:status>{status}</wp:status>
		<wp:post_type>post</wp:post_type>
		{extra}
	</item>"""


def attachment(wp_id, file):
    return f"""<item>
		<title>Photo {wp_id}</title>
		<wp:post_id>{wp_id}</wp:post_id>
		<wp:status>inherit</wp:status>
		<wp:post_type>attachment</wp:post_type>
		<wp:attachment_url><![CDATA[https://hostile.example.fr/wp-content/uploads/{file}]]></wp:attachment_url>
		<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value><![CDATA[{file}]]></wp:meta_value></wp:postmeta>
	</item>"""


def category(nicename, name=None, parent="", term_id=""):
    return (
        f"<wp:category><wp:term_id>{term_id}</wp:term_id>"
        f"<wp:category_nicename><![CDATA[{nicename}]]></wp:category_nicename>"
        f"<wp:category_parent><![CDATA[{parent}]]></wp:category_parent>"
        f"<wp:cat_name><![CDATA[{name or nicename}]]></wp:cat_name></wp:category>"
    )


def export(tmp_path, *items, terms="", doctype="", name="export.xml"):
    path = tmp_path / name
    text = HEAD.format(doctype=doctype, terms=terms, items="\n".join(items))
    path.write_text(text, encoding="utf-8")
    return path
