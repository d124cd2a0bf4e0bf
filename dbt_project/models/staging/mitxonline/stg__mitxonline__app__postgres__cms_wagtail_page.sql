-- MITx Online Wagtail pages (raw wagtailcore_page): the page behind each CMS page, with its
-- place in the page tree and its publication dates. One row per page.
{{ stg_cms_wagtail_page('raw__mitxonline__app__postgres__wagtailcore_page') }}
