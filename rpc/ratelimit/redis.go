package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// KeyPrefix starts the name of every Redis key the limiter writes.
const KeyPrefix = "accountd:ratelimit:"

// takeScript is gcra.take run atomically inside Redis, on the server's
// clock so that replicas with skewed clocks agree. KEYS[1] holds the TAT in
// microseconds and expires when the bucket is full again, which is the same
// as the key never having been seen. ARGV: emission interval (µs), limit, n.
// It returns {allowed (0 or 1), remaining, retry after (µs)}.
var takeScript = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local window = interval * limit

local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat < now then tat = now end
local function remaining(at)
  local r = math.floor((window - (at - now)) / interval)
  if r < 0 then return 0 end
  return r
end

if n > limit then
  return {0, remaining(tat), window}
end
local new_tat = tat + n * interval
local wait = new_tat - window - now
if wait > 0 then
  return {0, remaining(tat), wait}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat),
  'PX', string.format('%d', math.ceil((new_tat - now) / 1000)))
return {1, remaining(new_tat), 0}
`)

// Redis is a Limiter shared by all replicas through one Redis server. It is
// safe for concurrent use.
type Redis struct {
	client *redis.Client
}

var _ Limiter = (*Redis)(nil)

// NewRedis connects to the Redis server at rawURL, of the form
// redis://[user:password@]host:port/db (or rediss:// for TLS), and pings it.
// It fails if the URL is malformed or the server does not answer within ctx.
// Errors never contain the password.
func NewRedis(ctx context.Context, rawURL string) (*Redis, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open redis rate limiter: %w", withoutURL(err))
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("open redis rate limiter: ping %s db %d: %w", opts.Addr, opts.DB, err)
	}
	return &Redis{client: client}, nil
}

// withoutURL drops the URL, which may hold a password, from a url.Parse
// error and keeps the reason.
func withoutURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("parse redis url: %w", uerr.Err)
	}
	return err
}

// Take asks for n requests for key under limitPerMinute; see Limiter. It
// returns an error wrapping ErrInvalidArgument, or the Redis or context
// error when the server could not decide.
func (r *Redis) Take(ctx context.Context, key string, limitPerMinute, n int) (Decision, error) {
	g, err := newGCRA(limitPerMinute, n)
	if err != nil {
		return Decision{}, fmt.Errorf("take %s: %w", key, err)
	}
	res, err := takeScript.Run(ctx, r.client, []string{KeyPrefix + key}, g.interval, g.limit, n).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("take %s from redis: %w", key, err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("take %s from redis: script returned %d values, want 3", key, len(res))
	}
	return Decision{
		Allowed:    res[0] == 1,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
	}, nil
}

// Close closes the connection pool.
func (r *Redis) Close() error {
	return r.client.Close()
}
