-- careers: promotions, probation, internships and the SAM calendar.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, op, ...
-- helpers: audit, say, say_inner, decimal, ROLE_RANK, notify_staff, staff_name, timer_set,
--   timer_done, approval_key, approval_fields, stuck_arm, announce_step, approval_new,
--   words, roster_key
local prefix, now, actor, src, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local LEVELS = { TRN = 1, CCS = 2, PAM = 3, SAM = 4 }

local function staff(id)
  local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'name', 'email', 'role', 'level', 'probation_start_ms',
    'probation_ms', 'permanent', 'verified', 'hours_total_ms', 'late_total')
  if not r[1] then return nil end
  return { name = r[1], email = r[2] or '', role = r[3], level = r[4] or '', start = tonumber(r[5] or ''),
    length = tonumber(r[6] or ''), permanent = r[7], verified = r[8], hours = tonumber(r[9] or '0'),
    late = tonumber(r[10] or '0') }
end

local function norm(s) return string.lower((string.gsub(s or '', '^%s*(.-)%s*$', '%1'))) end

local function open_of(typ, who, field)
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
    local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'type', field)
    if a[1] == typ and a[2] == who then return id end
  end
  return nil
end

-- The intern's record: hours (tenths), talks, summary.
local function intern(id)
  local r = redis.call('HMGET', prefix .. 'intern:' .. id, 'tenths', 'talks', 'summary')
  return { tenths = tonumber(r[1] or '0'), talks = tonumber(r[2] or '0'), summary = r[3] }
end

-- What the intern WHO (staff S, record I) still lacks of the configured
-- needs, in the reader's words; the summary only when WITH_SUMMARY.
local function intern_missing(s, i, need_tenths, need_talks, with_summary)
  local missing = {}
  -- in the reader's words: "Schulungsstunden, Gespräche"
  if i.tenths < need_tenths then missing[#missing + 1] = say_inner('MSG_INTERN_MISSING_HOURS') end
  if i.talks < need_talks then missing[#missing + 1] = say_inner('MSG_INTERN_MISSING_TALKS') end
  if with_summary and not i.summary then missing[#missing + 1] = say_inner('MSG_INTERN_MISSING_SUMMARY') end
  if not s.verified then missing[#missing + 1] = say_inner('MSG_INTERN_MISSING_VERIFICATION') end
  return missing
end

-- The lead of the first running shift instance ("date|shift" words) that has one.
local function running_lead(running)
  for _, inst in ipairs(words(running)) do
    local date, shift = string.match(inst, '^([^|]+)|(.+)$')
    local lead = date and redis.call('HGET', roster_key(prefix, date, shift), 'lead')
    if lead and lead ~= '' then return lead end
  end
  return nil
end

if op == 'promote' then
  -- person, level, cycle, name, email, reason, summary
  local person, level, cycle, name, email, reason, summary = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]
  local s = staff(person)
  if not s then return { 'no_such_person' } end
  if s.role ~= 'agent' then return { 'not_agent' } end
  local bad = {}
  if norm(name) ~= norm(s.name) then bad[#bad + 1] = 'name' end
  if norm(email) ~= norm(s.email) then bad[#bad + 1] = 'email' end
  if #bad > 0 then return { 'mismatch', table.concat(bad, ' ') } end
  local from, to = LEVELS[s.level] or 0, LEVELS[level]
  if to == from then return { 'same', s.level } end
  if to < from then return { 'lower', s.level } end
  if to > from + 1 then return { 'skip', s.level } end
  local dup = open_of('promotion', person, 'person')
  if dup then return { 'duplicate', dup } end
  -- the summary names the person with their level now and the cycle: no evidence that repeats it
  local said = say(cycle == 'off' and 'MSG_SUM_PROMOTION_OFF' or 'MSG_SUM_PROMOTION_IN',
    { 'person', staff_name(prefix, person), 'level', level })
  local id, done = approval_new(prefix, now, src, 'P', 'promotion', actor, { 'role:minister', 'role:webmaster' },
    { person = person, level = level, from_level = s.level, cycle = cycle, reason_text = reason, summary = said,
      digest = summary },
    'promotion.request', summary .. (reason ~= '' and (' (' .. reason .. ')') or ''))
  if done then return done end
  return { 'ok', id, redis.call('HGET', approval_key(prefix, id), 'who' .. redis.call('HGET', approval_key(prefix, id), 'step')) }

elseif op == 'probation_apply' then
  -- text, apply window ms, summary
  local text, window = ARGV[6], tonumber(ARGV[7])
  local s = staff(actor)
  if not s then return { 'no_such_person' } end
  if s.permanent then return { 'permanent', s.permanent } end
  if not s.start or not s.length then return { 'no_probation' } end
  local ends = s.start + s.length
  local t = tonumber(now)
  if t < ends - window then return { 'too_early', tostring(ends - window), tostring(ends) } end
  local dup = open_of('probation', actor, 'requester')
  if dup then return { 'duplicate', dup } end
  local hm = string.format('%d:%02d', math.floor(s.hours / 3600000), math.floor(s.hours % 3600000 / 60000))
  local figures = hm .. ' h worked, ' .. s.late .. ' late check-ins'
  -- the figures are evidence for the deciders, never part of the summary a room reads
  local evidence = say('MSG_EVID_PROBATION', { 'hours', hm, 'late', tostring(s.late) })
  -- the shift lead's evaluation (a score and a note) comes first, then the
  -- department's review, then the webmaster
  local id, done = approval_new(prefix, now, src, 'PR', 'probation', actor,
    { { who = 'role:vice_minister', need = 'score' }, 'role:minister', 'role:webmaster' },
    { self_evaluation = text, figures = figures, reason_text = text, digest = 'probation ' .. actor .. ' (' .. figures .. ')',
      evidence = evidence, summary = say('MSG_SUM_PROBATION', { 'person', staff_name(prefix, actor) }) },
    'probation.apply', figures)
  if done then return done end
  return { 'ok', id, evidence }

elseif op == 'consult' then
  -- rank, id, person: an opinion that is needed before the next step
  local rank, id, person = tonumber(ARGV[6]), ARGV[7], ARGV[8]
  local a = approval_fields(prefix, id)
  if not a or a.type ~= 'probation' then return { 'not_found' } end
  if a.state ~= 'open' then return { 'closed', a.state } end
  if not staff(person) then return { 'no_such_person' } end
  if person == a.requester then return { 'self' } end
  local step, n = tonumber(a.step), tonumber(a.nsteps)
  if a['who' .. step] ~= 'role:minister' or rank < ROLE_RANK.minister then return { 'not_now' } end
  local key = approval_key(prefix, id)
  -- the steps from this one on move one down (those not decided yet, signed ones with their signature)
  for i = n, step, -1 do
    for _, f in ipairs({ 'who', 'need', 'signed', 'by', 'at', 'note', 'quiet' }) do
      if a[f .. i] then redis.call('HSET', key, f .. (i + 1), a[f .. i]) else redis.call('HDEL', key, f .. (i + 1)) end
    end
  end
  redis.call('HDEL', key, 'need' .. step, 'signed' .. step, 'by' .. step, 'at' .. step, 'note' .. step, 'quiet' .. step)
  redis.call('HSET', key, 'who' .. step, 'advice:' .. person, 'nsteps', n + 1)
  audit(prefix, now, actor, 'probation.consult', id, person, src)
  a = approval_fields(prefix, id)
  a.step = step
  stuck_arm(prefix, now, id)
  announce_step(prefix, a)
  return { 'ok' }

elseif op == 'training' then
  -- intern, tenths of hours, topic, confirmed 0|1 (logged by someone who trains)
  local who, tenths, topic, confirmed = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9]
  local s = staff(who)
  if not s then return { 'no_such_person' } end
  if s.level ~= 'TRN' then return { 'not_intern', s.level } end
  local hours = string.format('%d.%d', math.floor(tenths / 10), tenths % 10)
  if confirmed ~= '1' then
    -- an intern's own hours count once a vice minister or above confirms them
    -- the topic is in the summary; no reason that repeats it.  The ops room
    -- reads that hours wait for confirmation, not how many nor of what.
    local id, done = approval_new(prefix, now, src, 'H', 'training', actor, { 'role:vice_minister' },
      { person = who, tenths = tostring(tenths), topic = topic, digest = 'training ' .. who .. ' ' .. hours .. ' h: ' .. topic,
        summary = say('MSG_SUM_TRAINING', { 'person', staff_name(prefix, who), 'hours', decimal(tenths / 10, 1), 'topic', topic }),
        ops_summary = say('MSG_SUM_TRAINING_OPS', { 'person', staff_name(prefix, who) }) },
      'training.log', hours .. ' h ' .. topic)
    if done then return done end
    return { 'unconfirmed', id, tostring(intern(who).tenths) }
  end
  local total = redis.call('HINCRBY', prefix .. 'intern:' .. who, 'tenths', tenths)
  redis.call('RPUSH', prefix .. 'intern:' .. who .. ':log', now .. '|' .. actor .. '|' .. tenths .. '|' .. topic)
  audit(prefix, now, actor, 'training.log', who, hours .. ' h ' .. topic, src)
  return { 'ok', tostring(total) }

elseif op == 'talk' or op == 'summary' then
  local s = staff(actor)
  if op == 'talk' and s and s.level ~= 'TRN' then
    -- the designated person files the talk they had with the intern: it counts at once
    local who, notes = ARGV[6], ARGV[7]
    local t = staff(who)
    if not t then return { 'no_such_person' } end
    if t.level ~= 'TRN' then return { 'not_intern', t.level } end
    local n = redis.call('HINCRBY', prefix .. 'intern:' .. who, 'talks', 1)
    redis.call('RPUSH', prefix .. 'intern:' .. who .. ':talks', now .. '|' .. actor .. '|' .. notes)
    audit(prefix, now, actor, 'internship.talk', who, 'with ' .. actor .. ', filed by them', src)
    return { 'ok', tostring(n) }
  end
  if not s or s.level ~= 'TRN' then return { 'not_intern', s and s.level or '' } end
  if op == 'talk' then
    -- a talk counts once the designated person it was with confirms it
    local with, notes = ARGV[6], ARGV[7]
    if not staff(with) then return { 'no_such_person' } end
    if with == actor then return { 'self' } end
    local id, done = approval_new(prefix, now, src, 'TK', 'talk', actor, { 'person:' .. with },
      { person = actor, with = with, reason_text = notes, digest = 'internship talk ' .. actor .. ' with ' .. with,
        summary = say('MSG_SUM_TALK', { 'person', staff_name(prefix, actor), 'with', staff_name(prefix, with) }) },
      'internship.talk', 'with ' .. with)
    if done then return done end
    return { 'unconfirmed', id, tostring(intern(actor).talks) }
  end
  -- the summary counts once a webmaster approves it; a denial returns it to rewrite
  local ikey = prefix .. 'intern:' .. actor
  if intern(actor).summary then return { 'summary_done', redis.call('HGET', ikey, 'summary_id') or '' } end
  local dup = open_of('intern_summary', actor, 'person')
  if dup then return { 'summary_open', dup } end
  local id, done = approval_new(prefix, now, src, 'IS', 'intern_summary', actor, { 'role:webmaster' },
    { person = actor, text = ARGV[6], reason_text = ARGV[6], denied_msg = 'MSG_INTERN_SUMMARY_RETURNED',
      digest = 'internship summary ' .. actor,
      summary = say('MSG_SUM_INTERN_SUMMARY', { 'person', staff_name(prefix, actor) }) },
    'internship.summary', string.sub(ARGV[6], 1, 80))
  if done then return done end
  redis.call('HSET', ikey, 'summary_id', id)
  return { 'summary_filed', id }

elseif op == 'apply' then
  -- candidate, note, running shift instances, training hours needed
  local who, note, running, hours = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local s = staff(who)
  if not s then return { 'no_such_person' } end
  if s.role ~= 'agent' then return { 'apply_not_agent' } end
  if s.level ~= 'TRN' then return { 'apply_level', s.level } end
  local started = redis.call('HGET', prefix .. 'staff:' .. who, 'intern_start')
  if started then return { 'apply_started', started } end
  local dup = open_of('intern_start', who, 'person')
  if dup then return { 'apply_open', dup } end
  local lead = running_lead(running)
  if not lead then return { 'no_lead' } end
  -- the lead forwards (approves) or declines; a lead who applies has forwarded it
  local steps = { 'person:' .. lead, 'role:minister' }
  if lead == actor then steps = { 'role:minister' } end
  local id, done = approval_new(prefix, now, src, 'IA', 'intern_start', actor, steps,
    { person = who, lead = lead, reason_text = note, digest = 'internship application ' .. who,
      summary = say('MSG_SUM_INTERN_APPLY', { 'person', staff_name(prefix, who) }),
      evidence = say('MSG_EVID_INTERN_CONDITIONS', { 'hours', hours }) },
    'internship.apply', who .. ': ' .. string.sub(note, 1, 80))
  if done then return done end
  return { 'applied', id, staff_name(prefix, lead), lead == actor and '1' or '0', staff_name(prefix, who) }

elseif op == 'defense' then
  -- intern, pass|fail, score, notes, needed tenths, needed talks
  local who, verdict, score, notes = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local need_tenths, need_talks = tonumber(ARGV[10]), tonumber(ARGV[11])
  local s = staff(who)
  if not s then return { 'no_such_person' } end
  if s.level ~= 'TRN' then return { 'not_intern', s.level } end
  local ikey = prefix .. 'intern:' .. who
  local i = intern(who)
  if not i.summary then
    local sid = redis.call('HGET', ikey, 'summary_id')
    if sid and redis.call('HGET', approval_key(prefix, sid), 'state') == 'open' then return { 'summary_waits', sid } end
    return { 'no_summary' }
  end
  local status = { tostring(i.tenths), tostring(i.talks), '1', s.verified and '1' or '0', staff_name(prefix, who) }
  if verdict == 'pass' then
    local missing = intern_missing(s, i, need_tenths, need_talks, false)
    if #missing > 0 then return { 'missing', table.concat(missing, say_inner('MSG_LIST_SEP')), unpack(status) } end
    local dup = open_of('internship', who, 'person')
    if dup then return { 'duplicate', dup } end
  end
  redis.call('HINCRBY', ikey, 'defenses', 1)
  redis.call('HSET', ikey, 'defense', verdict .. ' ' .. score .. ' ' .. now)
  redis.call('RPUSH', ikey .. ':defenses', now .. '|' .. actor .. '|' .. verdict .. '|' .. score .. '|' .. notes)
  audit(prefix, now, actor, 'internship.defense', who, verdict .. ' score ' .. score .. ': ' .. string.sub(notes, 1, 80), src)
  if verdict == 'fail' then
    notify_staff(prefix, who, 'MSG_INTERN_DEFENSE_FAILED_YOU', { by = staff_name(prefix, actor), score = score, notes = notes })
    return { 'defense_failed', s.name }
  end
  -- passed with everything else done: TRN -> CCS, signed by the recorder's own role
  local id, done = approval_new(prefix, now, src, 'I', 'internship', actor, { 'role:minister' },
    { person = who, reason_text = notes, digest = 'internship ' .. who .. ' TRN -> CCS, defense passed (score ' .. score .. ')',
      summary = say('MSG_SUM_INTERN_DONE', { 'person', s.name }) }, 'internship.complete', who)
  if done and done[1] == 'approved' then return { 'defense_passed', done[2], s.name } end
  if done then return done end
  return { 'defense_waits', id }

elseif op == 'verify' then
  local who = ARGV[6]
  if not staff(who) then return { 'no_such_person' } end
  redis.call('HSET', prefix .. 'staff:' .. who, 'verified', actor .. ' ' .. now)
  audit(prefix, now, actor, 'staff.verify', who, 'real-name registration checked', src)
  return { 'ok', staff_name(prefix, who) }

elseif op == 'status' or op == 'recommend' then
  -- person, needed tenths, needed talks, summary
  local who, need_tenths, need_talks = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
  local s = staff(who)
  if not s then return { 'no_such_person' } end
  if s.level ~= 'TRN' then return { 'not_intern', s.level } end
  local i = intern(who)
  local missing = intern_missing(s, i, need_tenths, need_talks, true)
  -- what the intern logged that waits for confirmation (counted nowhere yet)
  local wait_tenths, wait_talks = 0, 0
  for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
    local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'type', 'person', 'tenths')
    if a[2] == who and a[1] == 'training' then wait_tenths = wait_tenths + tonumber(a[3] or '0') end
    if a[2] == who and a[1] == 'talk' then wait_talks = wait_talks + 1 end
  end
  local status = { tostring(i.tenths), tostring(i.talks), i.summary and '1' or '0', s.verified and '1' or '0',
    staff_name(prefix, who), tostring(wait_tenths), tostring(wait_talks) }
  if op == 'status' then
    -- where it stands: since when, an application or a summary waiting, the last defense
    local ikey = prefix .. 'intern:' .. who
    local sid = redis.call('HGET', ikey, 'summary_id') or ''
    local sstate = (sid ~= '' and not i.summary) and (redis.call('HGET', approval_key(prefix, sid), 'state') or '') or ''
    local app, app_who = open_of('intern_start', who, 'person'), ''
    if app then
      local a = approval_fields(prefix, app)
      app_who = a['who' .. a.step]
    end
    status[#status + 1] = redis.call('HGET', prefix .. 'staff:' .. who, 'intern_start') or ''
    status[#status + 1] = sid
    status[#status + 1] = sstate
    status[#status + 1] = app or ''
    status[#status + 1] = app_who
    status[#status + 1] = redis.call('HGET', ikey, 'defense') or ''
    return { 'status', unpack(status) }
  end
  if #missing > 0 then return { 'missing', table.concat(missing, say_inner('MSG_LIST_SEP')), unpack(status) } end
  local dup = open_of('internship', who, 'person')
  if dup then return { 'duplicate', dup } end
  local id, done = approval_new(prefix, now, src, 'I', 'internship', actor, { 'role:webmaster' },
    { person = who, summary = say('MSG_SUM_INTERNSHIP', { 'person', staff_name(prefix, who) }), reason_text = i.summary,
      digest = 'early transfer ' .. who .. ' TRN -> CCS',
      evidence = say('MSG_EVID_INTERNSHIP', { 'hours', decimal(i.tenths / 10, 1),
        'talks', tostring(i.talks) }) }, 'internship.recommend', who)
  if done then return done end
  return { 'ok', id }

elseif op == 'cal_add' then
  -- start ms, remind ms, text
  local start, remind, text, hhmm = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local id = 'K-' .. redis.call('INCR', prefix .. 'seq:K')
  redis.call('HSET', prefix .. 'cal:' .. id, 'owner', actor, 'start', start, 'text', text, 'hhmm', hhmm)
  redis.call('ZADD', prefix .. 'calendar:' .. actor, start, id)
  if tonumber(remind) > tonumber(now) then timer_set(prefix, 'cal|' .. id, remind) end
  audit(prefix, now, actor, 'calendar.add', id, '', src)
  return { 'ok', id }

elseif op == 'cal_list' then
  -- from ms, to ms
  local out = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'calendar:' .. actor, ARGV[6], ARGV[7])) do
    local c = redis.call('HMGET', prefix .. 'cal:' .. id, 'start', 'text')
    out[#out + 1] = id
    out[#out + 1] = c[1] or '0'
    out[#out + 1] = c[2] or ''
  end
  return out

elseif op == 'cal_remove' then
  local id = ARGV[6]
  local owner = redis.call('HGET', prefix .. 'cal:' .. id, 'owner')
  if owner ~= actor then return { 'not_found' } end
  redis.call('DEL', prefix .. 'cal:' .. id)
  redis.call('ZREM', prefix .. 'calendar:' .. actor, id)
  timer_done(prefix, 'cal|' .. id)
  audit(prefix, now, actor, 'calendar.remove', id, '', src)
  return { 'ok' }

elseif op == 'cal_fire' then
  -- member, id
  local member, id = ARGV[6], ARGV[7]
  timer_done(prefix, member)
  local c = redis.call('HMGET', prefix .. 'cal:' .. id, 'owner', 'text', 'hhmm')
  if not c[1] then return { 'gone' } end
  notify_staff(prefix, c[1], 'MSG_CALENDAR_REMINDER', { id = id, time = c[3] or '', text = c[2] or '' })
  return { 'reminded' }
end
return redis.error_reply('careers: unknown op ' .. tostring(op))
