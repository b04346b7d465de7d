-- Scale data for bench/pages_board.py when no seed_demo database is at hand:
-- 100,000 accounts with scores and factors, 2,000,000 tickets over two years, 20 CSMs,
-- 50 agents in 5 pools, 5,000 escalations, 2,000 flag verdicts and 180 days of score
-- history for 1,000 accounts. Run on an EMPTY migrated database:
--   psql "$DATABASE_URL" -f bench/board_scale_data.sql
-- Needs the role groups (created by migrate) and default policies (migration 0002).
BEGIN;
SELECT setseed(0.42);

INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT '!', false, 'benchcsm' || g, 'Csm', g::text, 'benchcsm' || g || '@vipdesk.test', false, true, now()
FROM generate_series(1, 20) g;
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT '!', false, 'benchagent' || g, 'Agent', g::text, 'benchagent' || g || '@vipdesk.test', false, true, now()
FROM generate_series(1, 50) g;
INSERT INTO auth_user_groups (user_id, group_id)
SELECT u.id, (SELECT id FROM auth_group WHERE name = 'CSM') FROM auth_user u WHERE u.username LIKE 'benchcsm%';
INSERT INTO auth_user_groups (user_id, group_id)
SELECT u.id, (SELECT id FROM auth_group WHERE name = 'Agent') FROM auth_user u WHERE u.username LIKE 'benchagent%';

CREATE TEMP TABLE csms AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM auth_user WHERE username LIKE 'benchcsm%';

INSERT INTO accounts_account (
  name, plan, arr, contract_start, renewal_date, executive_sponsor, strategic, executive_review,
  nps, previous_nps, weekly_active_users, usage_trend_pct, expansion_opportunity, tier,
  health_score, risk_score, risk_level, risk_factors, risk_alerted_threshold, scored_at,
  rescore_requested, intervention_status, created_at, updated_at, csm_id)
SELECT
  'Bench account ' || g,
  CASE WHEN a.arr >= 100000 THEN 'Enterprise' ELSE 'Business' END,
  a.arr,
  current_date - (400 + g % 900),
  CASE WHEN g % 33 = 0 THEN NULL ELSE current_date + (g * 7919 % 430) - 30 END,
  CASE WHEN g % 3 = 0 THEN '' ELSE 'Sponsor ' || (g % 60) END,
  g % 997 = 0, g % 1499 = 0,
  (g % 140) - 40, (g % 120) - 20,
  '[120, 118, 115, 110, 104, 99, 95, 90]'::jsonb,
  -((g % 40)::float),
  CASE WHEN g % 7 = 0 THEN 25000 ELSE 0 END,
  CASE WHEN a.arr >= 500000 OR g % 997 = 0 OR g % 1499 = 0 THEN 1 WHEN a.arr >= 100000 THEN 2
       WHEN a.arr >= 50000 THEN 3 ELSE 4 END,
  CASE WHEN g % 20 = 0 THEN NULL ELSE least(100, greatest(0, 100 - a.risk + (g % 11) - 5)) END,
  a.risk,
  CASE WHEN a.risk >= 85 THEN 'critical' WHEN a.risk >= 70 THEN 'high' WHEN a.risk >= 40 THEN 'medium' ELSE 'low' END,
  jsonb_build_array(
    jsonb_build_object('name', 'Usage drop', 'points', a.risk % 16, 'reason', 'weekly active users down ' || (g % 40) || '%'),
    jsonb_build_object('name', 'Ticket frequency', 'points', a.risk % 19, 'reason', (g % 9) || ' tickets in 14 days'),
    jsonb_build_object('name', 'Churn language', 'points', CASE WHEN a.risk > 60 THEN 25 ELSE 0 END, 'reason', '"cancel" in a recent ticket'),
    jsonb_build_object('name', 'Renewal proximity', 'points', a.risk % 11, 'reason', 'renewal soon')),
  0, now(), false,
  CASE WHEN a.risk >= 70 AND g % 2 = 0 THEN 'planned' ELSE 'none' END,
  now(), now(),
  (SELECT id FROM csms WHERE n = 1 + g % 20)
FROM generate_series(1, 100000) g,
LATERAL (SELECT round((20000 + 2000000 * power(random(), 6))::numeric, 2) + 0 * g AS arr,
                least(100, greatest(0, round(100 * power(random(), 1.6))::int)) + 0 * g AS risk) a;


INSERT INTO tickets_agent (level, tenure_start, vip_share_cap_pct, capacity, on_shift, user_id)
SELECT 1 + (row_number() OVER (ORDER BY id)) % 3, current_date - 500, NULL, 8, id % 5 <> 0, id
FROM auth_user WHERE username LIKE 'benchagent%';
INSERT INTO tickets_agentpool (name, tier, lead_id)
SELECT 'Bench pool ' || g, 1 + g % 3, NULL FROM generate_series(1, 5) g;
INSERT INTO tickets_agentpool_members (agentpool_id, agent_id)
SELECT p.id, a.id FROM tickets_agentpool p JOIN tickets_agent a ON a.id % 5 = p.id % 5
WHERE p.name LIKE 'Bench pool%';

CREATE TEMP TABLE acct AS SELECT row_number() OVER (ORDER BY id) AS n, id, tier FROM accounts_account;
CREATE TEMP TABLE agents AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM tickets_agent;

INSERT INTO tickets_ticket (
  source, external_id, requester_name, requester_email, requester_title, organization_name,
  subject, body, tags, customer_priority, status, created_at, first_response_at, resolved_at,
  updated_at, csat, routed, routed_at, tier, effective_priority, queue, executive_contact,
  possible_vip, sla_first_response_due, sla_resolution_due, sla_warning_level, churn_signals,
  churn_points, routing_reasons, account_id, assigned_agent_id)
SELECT 'demo', 'B-' || g, '', '', '', '', 'Bench ticket ' || g, '', '[]', 'P3',
  CASE WHEN t.age < interval '3 days' AND g % 3 = 0 THEN 'open' ELSE 'solved' END,
  now() - t.age,
  CASE WHEN g % 10 = 0 AND t.age < interval '3 days' THEN NULL ELSE now() - t.age + make_interval(mins => 5 + g % 90) END,
  CASE WHEN t.age < interval '3 days' AND g % 3 = 0 THEN NULL ELSE now() - t.age + make_interval(hours => 1 + g % 40) END,
  now(), CASE WHEN g % 4 = 0 THEN 1 + g % 5 END, true, now() - t.age, a.tier, 'P3',
  CASE a.tier WHEN 1 THEN 'enterprise' WHEN 4 THEN 'general' ELSE 'priority' END, false, false,
  now() - t.age + make_interval(mins => CASE a.tier WHEN 1 THEN 30 WHEN 2 THEN 30 WHEN 3 THEN 60 ELSE 480 END),
  now() - t.age + interval '5 days', 0, '[]', 0, '[]', a.id,
  (SELECT id FROM agents WHERE n = 1 + g % 50)
FROM generate_series(1, 2000000) g
JOIN acct a ON a.n = 1 + (g::bigint * 7907) % 100000,
LATERAL (SELECT make_interval(secs => (g * 31.7)::int % (730 * 86400)) AS age) t;

INSERT INTO escalations_escalation (type, severity, status, summary, level, opened_at, account_id, owner_id)
SELECT 'technical', (ARRAY['critical','high','medium','low'])[1 + g % 4],
  CASE WHEN g % 5 = 0 THEN 'open' ELSE 'closed' END, 'Bench escalation ' || g, 0,
  now() - make_interval(days => g % 365), a.id, NULL
FROM generate_series(1, 5000) g JOIN acct a ON a.n = 1 + (g * 104729) % 100000;

INSERT INTO accounts_riskflagfeedback (verdict, note, risk_score, risk_factors, created_at, account_id, user_id)
SELECT CASE WHEN g % 3 = 0 THEN 'false_positive' ELSE 'accurate' END, '', ac.risk_score, ac.risk_factors,
  now() - make_interval(days => g % 200), ac.id, NULL
FROM generate_series(1, 2000) g JOIN acct a ON a.n = 1 + (g * 7919) % 100000
JOIN accounts_account ac ON ac.id = a.id;

INSERT INTO accounts_scoresnapshot (day, health_score, risk_score, risk_level, risk_factors, account_id)
SELECT current_date - d, 50 + (d % 30), 40 + (d % 50), 'medium', '[]', a.id
FROM (SELECT id FROM accounts_account ORDER BY risk_score DESC, id LIMIT 1000) a, generate_series(0, 179) d;

COMMIT;
ANALYZE;
