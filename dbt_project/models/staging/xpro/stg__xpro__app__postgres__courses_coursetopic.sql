-- xPRO course topics, one row per topic; a subtopic names its parent topic.
{{ stg_cms_coursetopic('raw__xpro__app__postgres__courses_coursetopic') }}
