-- Ballots are hex JSON (≈ 12 KB typical): PostgreSQL's default compression of such values
-- (pglz) cost ≈ 10 % of the machine's CPU at 350 casts per second and gains little on hex.
-- Kept out of line, uncompressed.
ALTER TABLE ballots ALTER COLUMN ballot SET STORAGE EXTERNAL;
