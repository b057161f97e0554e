-- Row-level security on reviews: a member sees and writes only their own
-- reviews, by the JWT's member claim; anon has no policy and sees none.
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_reviews ON reviews TO web_user
  USING (member_id = (current_setting('request.jwt.claims', true)::json->>'member')::int)
  WITH CHECK (member_id = (current_setting('request.jwt.claims', true)::json->>'member')::int);
