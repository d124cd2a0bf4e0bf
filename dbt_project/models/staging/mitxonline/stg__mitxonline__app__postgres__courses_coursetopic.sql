-- MITx Online course topics, one row per topic; a subtopic names its parent topic.
{{ stg_cms_coursetopic('raw__mitxonline__app__postgres__courses_coursetopic') }}
