/*
 * sitegen_proc: CPU time and memory of the daemon, Redis, sitegen itself and
 * the rest of the machine, from /proc, and their report per phase.
 */
#include "sitegen.h"

/* ---- /proc ---- */

int64_t proc_cpu_ns(pid_t pid)
{
	char path[64], line[512];
	DIR *d;
	struct dirent *e;
	int64_t sum = 0;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(line, sizeof(line), "%s/%s/schedstat", path, e->d_name);
		if ((f = fopen(line, "r")) != NULL) {
			long long ns;
			if (fscanf(f, "%lld", &ns) == 1)
				sum += ns;
			fclose(f);
		}
	}
	closedir(d);
	return sum;
}

long proc_status(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* utime + stime in clock ticks, from /proc/PID/stat */
long long proc_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* fields after ")": state(3) ... utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* CPU time the whole machine was busy (all CPUs, /proc/stat), ns */
int64_t machine_busy_ns(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);

	if (f == NULL)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
	    &v[6], &v[7]) != 8)
		v[0] = v[1] = v[2] = v[5] = v[6] = v[7] = 0;
	fclose(f);
	/* user nice system irq softirq steal: everything but idle and iowait */
	return (int64_t)((v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * (1000000000ULL / (unsigned long long)hz));
}

struct usage usage_now(void)
{
	struct usage u = { now_ns(), proc_cpu_ns(child), proc_cpu_ns(opt_redis_pid), proc_cpu_ns(getpid()),
		machine_busy_ns() };

	return u;
}

/* "<name>_cpu_<who>" = % of one core over the interval */
void report_usage(const char *name, struct usage a)
{
	struct usage b = usage_now();
	double dt = (double)(b.t - a.t);
	char key[96];

	snprintf(key, sizeof(key), "%s_cpu_daemon", name);
	result(key, "%.0f", 100.0 * (double)(b.child_cpu - a.child_cpu) / dt);
	if (opt_redis_pid > 0) {
		snprintf(key, sizeof(key), "%s_cpu_redis", name);
		result(key, "%.0f", 100.0 * (double)(b.redis_cpu - a.redis_cpu) / dt);
	}
	snprintf(key, sizeof(key), "%s_cpu_gen", name);
	result(key, "%.0f", 100.0 * (double)(b.self_cpu - a.self_cpu) / dt);
	/* what the rest of the machine (kernel softirqs, other processes) used meanwhile */
	snprintf(key, sizeof(key), "%s_cpu_other", name);
	result(key, "%.0f", 100.0 * (double)((b.machine - a.machine) - (b.child_cpu - a.child_cpu) -
	    (b.redis_cpu - a.redis_cpu) - (b.self_cpu - a.self_cpu)) / dt);
}
