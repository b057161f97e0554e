-- A pre-request function that reports what the transaction sees.
CREATE FUNCTION public.pre_claims() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('response.headers', json_build_array(
    json_build_object('X-Greeting', current_setting('app.settings.greeting')),
    json_build_object('X-Sub', coalesce(current_setting('request.jwt.claims', true)::json->>'sub', '')),
    json_build_object('X-Role', current_user),
    json_build_object('X-Method', current_setting('request.method')),
    json_build_object('X-Path', current_setting('request.path')),
    -- request.headers has Host, not Cookie, and a repeated header's last value.
    json_build_object('X-Header-Keys', coalesce((SELECT string_agg(k, ',' ORDER BY k)
      FROM json_object_keys(current_setting('request.headers')::json) k WHERE k IN ('host', 'cookie', 'x-twice')), '')),
    json_build_object('X-Twice', coalesce(current_setting('request.headers')::json->>'x-twice', '')))::text, true);
  IF current_setting('request.headers', true)::json->>'x-want-status' IS NOT NULL THEN
    PERFORM set_config('response.status', current_setting('request.headers')::json->>'x-want-status', true);
  END IF;
END $$;
