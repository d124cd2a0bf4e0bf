-- The topics tagged on MITx Online course pages, one row per (page, topic).
{{ stg_cms_coursepage_topics('raw__mitxonline__app__postgres__cms_coursepage_topics') }}
