-- What each stored article was made of: a hash of its raw bytes (with how they were read) and of every field
-- the parser made of them. A reload compares it to tell an unchanged article from one whose page, post or parse
-- changed (a new title, time or stock link, a corrected date), which must replace the stored rows.
-- NULL for rows loaded before this migration: their next load counts as an update and fills it in.
ALTER TABLE articles ADD COLUMN fingerprint VARCHAR;
