-- calendar_read: the events of one calendar feed, for GET /calendar/<selector><token>.ics.
-- An event is one person's slot in one shift instance; what the feed last
-- showed of it is kept in ics:<date> {"<shift>|<id>" = "seq|start-end/slot|C or X|stamp"}
-- so that its SEQUENCE grows when it changes (other times, another slot)
-- and a slot that went away (swapped, removed) stays in the feed as
-- cancelled (X) while its date is in the window.  A bad token changes nothing.
-- KEYS[1] icsfeed:<selector>
-- ARGV    prefix, now, token, ms the ics:<date> keys are kept,
--         the window's shift instances "date|shift|start-end"...
-- returns {'none'} | {'ok', kind, lang of the feed's owner, name of the owner,
--         {date, shift, id, name, slot, seq, 'C'|'X', stamp, start-end}...}
-- helpers: staff_name, words, roster_key, ROLE_RANK
local prefix, now, token, keep = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local feed = redis.call('HMGET', KEYS[1], 'who', 'kind', 'token')
local who, kind, want = feed[1], feed[2], feed[3]

-- constant time: every octet compared, whatever the first difference
local function same(a, b)
  if not a or not b or #a ~= #b then return false end
  local d = 0
  for i = 1, #a do d = bit.bor(d, bit.bxor(string.byte(a, i), string.byte(b, i))) end
  return d == 0
end
if not same(want, token) then return { 'none' } end
local staff = redis.call('HMGET', prefix .. 'staff:' .. who, 'role', 'lang')
-- a feed ends with its owner's record; the department's with their minister rank
if not staff[1] or (kind == 'dept' and (ROLE_RANK[staff[1]] or 0) < ROLE_RANK.minister) then
  return { 'none' }
end

local out = { 'ok', kind, staff[2] or '', staff_name(prefix, who) }
local names = {}
local function name_of(id)
  names[id] = names[id] or staff_name(prefix, id)
  return names[id]
end
local function add(date, shift, id, slot, seq, status, stamp, times)
  out[#out + 1] = { date, shift, id, name_of(id), slot, tostring(seq), status, tostring(stamp), times }
end

local dates, in_window, held = {}, {}, {}
for i = 5, #ARGV do
  local date, shift, times = string.match(ARGV[i], '^([^|]+)|([^|]+)|(.+)$')
  if not in_window[date] then
    in_window[date] = {}
    dates[#dates + 1] = date
  end
  in_window[date][shift] = true
  local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister', 'agents')
  local slots = {}
  if r[1] then slots[#slots + 1] = { r[1], 'lead' } end
  if r[2] then slots[#slots + 1] = { r[2], 'minister' } end
  for _, id in ipairs(words(r[3])) do slots[#slots + 1] = { id, 'agent' } end
  local key = prefix .. 'ics:' .. date
  for _, s in ipairs(slots) do
    local id, slot = s[1], s[2]
    if kind == 'dept' or id == who then
      local field, fp = shift .. '|' .. id, times .. '/' .. slot
      local seq, ofp, status, stamp = string.match(redis.call('HGET', key, field) or '',
        '^(%d+)|([^|]*)|(%u)|(%d+)$')
      if not seq then
        seq, stamp = 0, now
      elseif ofp ~= fp or status ~= 'C' then
        seq, stamp = tonumber(seq) + 1, now
      end
      if not ofp or ofp ~= fp or status ~= 'C' then
        redis.call('HSET', key, field, seq .. '|' .. fp .. '|C|' .. stamp)
        redis.call('PEXPIRE', key, keep)
      end
      held[date .. '|' .. field] = true
      add(date, shift, id, slot, seq, 'C', stamp, times)
    end
  end
end

-- what the feed showed before and the roster no longer holds: cancelled
for _, date in ipairs(dates) do
  local key = prefix .. 'ics:' .. date
  local raw = redis.call('HGETALL', key)
  for i = 1, #raw, 2 do
    local shift, id = string.match(raw[i], '^([^|]+)|(.+)$')
    if shift and in_window[date][shift] and (kind == 'dept' or id == who) and not held[date .. '|' .. raw[i]] then
      local seq, times, slot, status, stamp = string.match(raw[i + 1], '^(%d+)|([^/|]*)/([^|]*)|(%u)|(%d+)$')
      if seq then
        if status == 'C' then
          seq, stamp = tonumber(seq) + 1, now
          redis.call('HSET', key, raw[i], seq .. '|' .. times .. '/' .. slot .. '|X|' .. stamp)
        end
        add(date, shift, id, slot, seq, 'X', stamp, times)
      end
    end
  end
end
return out
