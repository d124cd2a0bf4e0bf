-- The topics tagged on xPRO course pages, one row per (page, topic).
{{ stg_cms_coursepage_topics('raw__xpro__app__postgres__cms_coursepage_topics') }}
