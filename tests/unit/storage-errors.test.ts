// How storage failures are named: a deadline, a database that is down or refusing, a disk that is
// full. Table-driven over the error shapes Bun's clients and the file system really produce.
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/errors.ts";
import { deadline, DeadlineExceeded, withDeadline } from "../../src/lib/deadline.ts";
import { asDatabaseError, isUnavailable } from "../../src/storage/db/postgres-availability.ts";
import { asStorageError, isOutOfSpace } from "../../src/storage/out-of-space.ts";

describe("withDeadline / deadline", () => {
  test("passes the answer or the failure through when in time", async () => {
    expect(await withDeadline(Promise.resolve(7), 1000)).toBe(7);
    await expect(withDeadline(Promise.reject(new Error("own")), 1000)).rejects.toThrow("own");
  });

  test("rejects with the given error once the time is up", async () => {
    const never = new Promise<never>(() => {});
    await expect(withDeadline(never, 5)).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(withDeadline(never, 5, () => new Error("late"))).rejects.toThrow("late");
  });

  test("a shared deadline expires for every step after it", async () => {
    const limit = deadline(5);
    await Bun.sleep(10);
    expect(limit.expired()).toBe(true);
    await expect(limit.race(new Promise(() => {}))).rejects.toBeInstanceOf(DeadlineExceeded);
  });
});

const pgError = (code: string, errno?: string) => Object.assign(new Error(code), { code, errno });

describe("a database that is down or too slow is a 503 database_unavailable", () => {
  test.each([
    ["connection refused", pgError("ERR_POSTGRES_CONNECTION_REFUSED"), true],
    ["connection closed", pgError("ERR_POSTGRES_CONNECTION_CLOSED"), true],
    ["connection timeout", pgError("ERR_POSTGRES_CONNECTION_TIMEOUT"), true],
    ["server shutting down (57P01)", pgError("ERR_POSTGRES_SERVER_ERROR", "57P01"), true],
    ["too many connections (53300)", pgError("ERR_POSTGRES_SERVER_ERROR", "53300"), true],
    ["connection exception class 08", pgError("ERR_POSTGRES_SERVER_ERROR", "08006"), true],
    ["unique violation stays itself", pgError("ERR_POSTGRES_SERVER_ERROR", "23505"), false],
    ["syntax error stays itself", pgError("ERR_POSTGRES_SYNTAX_ERROR"), false],
  ])("%s", (_name, err, unavailable) => {
    expect(isUnavailable(err)).toBe(unavailable);
    const mapped = asDatabaseError(err, 5000);
    if (!unavailable) return expect(mapped).toBe(err);
    expect(mapped).toBeInstanceOf(AppError);
    expect((mapped as AppError).status).toBe(503);
    expect((mapped as AppError).code).toBe("database_unavailable");
    expect((mapped as AppError).headers["retry-after"]).toMatch(/^\d+$/);
  });

  test("a missed deadline names the setting", () => {
    const mapped = asDatabaseError(new DeadlineExceeded(5000), 5000) as AppError;
    expect(mapped.status).toBe(503);
    expect(mapped.message).toContain("database.query_timeout_ms");
  });
});

describe("a write refused for room is a 507 insufficient_storage", () => {
  test.each([
    ["ENOSPC", { code: "ENOSPC" }, true],
    ["EFBIG (file-size limit)", { code: "EFBIG" }, true],
    ["EDQUOT", { code: "EDQUOT" }, true],
    ["SQLite full", { code: "SQLITE_FULL" }, true],
    ["Postgres disk_full", { code: "ERR_POSTGRES_SERVER_ERROR", errno: "53100" }, true],
    ["permission denied is not", { code: "EACCES" }, false],
    ["a plain error is not", {}, false],
  ])("%s", (_name, fields, full) => {
    const err = Object.assign(new Error("write failed"), fields);
    expect(isOutOfSpace(err)).toBe(full);
    const mapped = asStorageError(err, "'x.txt'");
    if (!full) return expect(mapped).toBe(err);
    expect((mapped as AppError).status).toBe(507);
    expect((mapped as AppError).toBody().error).toMatchObject({ code: "insufficient_storage", type: "server_error" });
  });
});
