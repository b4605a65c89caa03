-- audit_read: the newest audit entries, optionally by or about one person.
-- KEYS[1] the audit stream
-- ARGV    count, person ('' = everyone)
-- returns {ts, actor, action, subject, detail, ...} newest first
-- helpers: none
local count, who = tonumber(ARGV[1]), ARGV[2]
local out, seen = {}, 0
local last = '+'
-- walk back in pages so a filter over a long stream stays bounded
while seen < 5000 and #out < count * 5 do
  local page = redis.call('XREVRANGE', KEYS[1], last, '-', 'COUNT', 200)
  if #page == 0 then break end
  for _, e in ipairs(page) do
    local f = {}
    for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
    if who == '' or f.actor == who or f.subject == who then
      out[#out + 1] = f.ts or ''
      out[#out + 1] = f.actor or ''
      out[#out + 1] = f.action or ''
      out[#out + 1] = f.subject or ''
      out[#out + 1] = f.detail or ''
      if #out >= count * 5 then break end
    end
    last = '(' .. e[1]
  end
  seen = seen + #page
  if #page < 200 then break end
end
return out
