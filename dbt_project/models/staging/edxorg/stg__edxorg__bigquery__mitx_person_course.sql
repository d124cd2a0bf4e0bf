-- IRx's person-course table: one row per (learner, course run) with the enrollment, grade,
-- certificate and activity of the learner in the run. Also MITx Online / xPRO rows
-- (courserun_platform); run keys are edX.org's course-v1 form.
with source as (
    select * from {{ source('ol_warehouse_raw_data', 'raw__irx__edxorg__bigquery__mitx_person_course') }}
),

deduplicated as ({{ deduplicate_raw_table('source', ['user_id', 'course_id']) }})

select
    user_id,
    {{ edxorg_courserun_key('course_id') }} as courserun_readable_id,
    {{ edxorg_courserun_platform('course_id') }} as courserun_platform,
    username as user_username,
    yob as user_birth_year,
    nullif(profile_country, '') as user_profile_country,
    {{ edxorg_gender('gender') }} as user_gender,
    {{ edxorg_education('loe') }} as user_highest_education,
    viewed as courseactivitiy_visited_once,
    explored as courseactivitiy_viewed_half,
    nevents as courseactivitiy_num_events,
    ndays_act as courseactivitiy_num_activity_days,
    nprogcheck as courseactivitiy_num_progress_check,
    nproblem_check as courseactivitiy_num_problem_check,
    nshow_answer as courseactivitiy_num_show_answer,
    ntranscript as courseactivitiy_num_show_transcript,
    nseq_goto as courseactivitiy_num_seq_goto,
    nplay_video as courseactivitiy_num_play_video,
    nseek_video as courseactivitiy_num_seek_video,
    npause_video as courseactivitiy_num_pause_video,
    nvideo as courseactivitiy_num_video_interactions,
    nvideos_unique_viewed as courseactivitiy_num_unique_videos_viewed,
    nvideos_total_watched as courseactivitiy_percentage_total_videos_watched,
    avg_dt as courseactivitiy_average_time_diff_in_sec,
    sdv_dt as courseactivitiy_standard_deviation_in_sec,
    max_dt as courseactivitiy_max_diff_in_sec,
    n_dt as courseactivitiy_num_consecutive_events_used,
    sum_dt as courseactivitiy_total_elapsed_time_in_sec,
    first_event as courseactivitiy_first_event_timestamp,
    last_event as courseactivitiy_last_event_timestamp,
    mode as courserunenrollment_enrollment_mode,
    coalesce(is_active = 1, false) as courserunenrollment_is_active,
    start_time as courserunenrollment_created_on,
    verified_enroll_time as courserunenrollment_enrolled_on,
    verified_unenroll_time as courserunenrollment_unenrolled_on,
    passing_grade as courserungrade_passing_grade,
    grade as courserungrade_user_grade,
    completed as courserungrade_is_passing,
    certified as courseruncertificate_is_earned,
    cert_status as courseruncertificate_status,
    cert_created_date as courseruncertificate_created_on,
    cert_modified_date as courseruncertificate_updated_on
from deduplicated
where user_id is not null
