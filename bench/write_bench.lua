-- wrk script for bench/write_bench.py: each wrk thread has one connection and is one
-- writer (its own person and plan), so it can send the ETag of its own last answer.
-- Arguments after "--": the writers file (a Lua table made by write_bench.py), the kind of
-- write ("bare", "add" or "edit") and whether to send If-Match ("1" or "0").

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  me = dofile(args[1])[id]
  kind = args[2]
  if_match = args[3] == "1"
  sent = 0
end

function request()
  sent = sent + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. me.token,
  }
  if if_match and me.etag then
    headers["If-Match"] = me.etag
  end
  local verb = ({ bare = "Written", add = "Added", edit = "Edited" })[kind]
  local text = string.format("%s by the write benchmark (writer %d, %d)", verb, id, sent)
  local plan = "/api/v1/plans/" .. me.plan .. "/sections/"
  if kind == "bare" then
    local body = string.format('{"owner_id":"%s","body":"%s"}', me.plan, text)
    return wrk.format("POST", "/bench/bare-write", headers, body)
  elseif kind == "add" then
    return wrk.format("POST", plan .. "triggers/entries", headers, '{"text":"' .. text .. '"}')
  end
  local entry = me.entries[(sent - 1) % #me.entries + 1]
  local path = plan .. entry[1] .. "/entries/" .. entry[2]
  return wrk.format("PATCH", path, headers, '{"text":"' .. text .. '"}')
end

function response(status, headers, body)
  me.etag = headers["etag"] or headers["ETag"] or me.etag
end
