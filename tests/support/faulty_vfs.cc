#include "support/faulty_vfs.h"

#include <sqlite3.h>

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"

namespace makegood::testing {
namespace {

// A file opened through the wrapper: its path, and the methods the
// platform's VFS gave it, which do the actual work.
struct OpenFile {
  std::string path;
  const sqlite3_io_methods* real = nullptr;
};

// Lives for the whole process: SQLite keeps pointers to the wrapper VFS and
// its method tables.
struct Shared {
  sqlite3_vfs* real_vfs = nullptr;  // Set once, before the first register.
  sqlite3_vfs vfs{};                // The wrapper.

  absl::Mutex mu;
  // The platform's method tables, each copied with xWrite and xClose
  // replaced; std::map keeps their addresses.
  std::map<const sqlite3_io_methods*, sqlite3_io_methods> wrapped
      ABSL_GUARDED_BY(mu);
  std::map<const sqlite3_file*, OpenFile> files ABSL_GUARDED_BY(mu);
  std::string suffix ABSL_GUARDED_BY(mu);
  int code ABSL_GUARDED_BY(mu) = SQLITE_OK;  // SQLITE_OK: nothing fails.
  int failures ABSL_GUARDED_BY(mu) = 0;
};

Shared& shared() {
  static Shared* const instance = new Shared;
  return *instance;
}

sqlite3_vfs* Real() { return shared().real_vfs; }

int Write(sqlite3_file* file, const void* data, int amount,
          sqlite3_int64 offset) {
  Shared& s = shared();
  const sqlite3_io_methods* real = nullptr;
  {
    absl::MutexLock lock(&s.mu);
    const OpenFile& open = s.files.at(file);
    if (s.code != SQLITE_OK && absl::EndsWith(open.path, s.suffix)) {
      ++s.failures;
      return s.code;
    }
    real = open.real;
  }
  return real->xWrite(file, data, amount, offset);
}

int Close(sqlite3_file* file) {
  Shared& s = shared();
  const sqlite3_io_methods* real = nullptr;
  {
    absl::MutexLock lock(&s.mu);
    auto it = s.files.find(file);
    real = it->second.real;
    s.files.erase(it);
  }
  return real->xClose(file);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
         int* out_flags) {
  Shared& s = shared();
  const int rc = Real()->xOpen(Real(), name, file, flags, out_flags);
  // Files without a name (temporary ones) are never made to fail.
  if (rc != SQLITE_OK || name == nullptr || file->pMethods == nullptr) {
    return rc;
  }
  absl::MutexLock lock(&s.mu);
  auto [it, added] = s.wrapped.try_emplace(file->pMethods, *file->pMethods);
  if (added) {
    it->second.xWrite = Write;
    it->second.xClose = Close;
  }
  s.files[file] = OpenFile{name, file->pMethods};
  file->pMethods = &it->second;
  return rc;
}

// The rest goes to the platform's VFS as it is.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return Real()->xDelete(Real(), name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* result) {
  return Real()->xAccess(Real(), name, flags, result);
}
int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return Real()->xFullPathname(Real(), name, size, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) {
  return Real()->xDlOpen(Real(), name);
}
void DlError(sqlite3_vfs*, int size, char* message) {
  Real()->xDlError(Real(), size, message);
}
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return Real()->xDlSym(Real(), handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { Real()->xDlClose(Real(), handle); }
int Randomness(sqlite3_vfs*, int size, char* out) {
  return Real()->xRandomness(Real(), size, out);
}
int Sleep(sqlite3_vfs*, int microseconds) {
  return Real()->xSleep(Real(), microseconds);
}
int CurrentTime(sqlite3_vfs*, double* now) {
  return Real()->xCurrentTime(Real(), now);
}
int GetLastError(sqlite3_vfs*, int size, char* out) {
  return Real()->xGetLastError(Real(), size, out);
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* now) {
  return Real()->xCurrentTimeInt64(Real(), now);
}
int SetSystemCall(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr call) {
  return Real()->xSetSystemCall(Real(), name, call);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs*, const char* name) {
  return Real()->xGetSystemCall(Real(), name);
}
const char* NextSystemCall(sqlite3_vfs*, const char* name) {
  return Real()->xNextSystemCall(Real(), name);
}

void MakeWrapperOnce() {
  Shared& s = shared();
  if (s.real_vfs != nullptr) return;
  s.real_vfs = sqlite3_vfs_find(nullptr);
  const sqlite3_vfs& real = *s.real_vfs;
  s.vfs.iVersion = real.iVersion < 3 ? real.iVersion : 3;
  s.vfs.szOsFile = real.szOsFile;
  s.vfs.mxPathname = real.mxPathname;
  s.vfs.zName = "makegood-test-faulty";
  s.vfs.xOpen = Open;
  s.vfs.xDelete = Delete;
  s.vfs.xAccess = Access;
  s.vfs.xFullPathname = FullPathname;
  s.vfs.xDlOpen = DlOpen;
  s.vfs.xDlError = DlError;
  s.vfs.xDlSym = DlSym;
  s.vfs.xDlClose = DlClose;
  s.vfs.xRandomness = Randomness;
  s.vfs.xSleep = Sleep;
  s.vfs.xCurrentTime = CurrentTime;
  s.vfs.xGetLastError = GetLastError;
  if (s.vfs.iVersion >= 2) s.vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (s.vfs.iVersion >= 3) {
    s.vfs.xSetSystemCall = SetSystemCall;
    s.vfs.xGetSystemCall = GetSystemCall;
    s.vfs.xNextSystemCall = NextSystemCall;
  }
}

}  // namespace

FaultyVfs::FaultyVfs() {
  MakeWrapperOnce();
  sqlite3_vfs_register(&shared().vfs, /*makeDflt=*/1);
}

FaultyVfs::~FaultyVfs() {
  Heal();
  sqlite3_vfs_register(Real(), /*makeDflt=*/1);
  sqlite3_vfs_unregister(&shared().vfs);
}

void FaultyVfs::FailWrites(const std::string& suffix, int code) {
  Shared& s = shared();
  absl::MutexLock lock(&s.mu);
  s.suffix = suffix;
  s.code = code;
}

void FaultyVfs::Heal() {
  Shared& s = shared();
  absl::MutexLock lock(&s.mu);
  s.code = SQLITE_OK;
}

int FaultyVfs::failed_writes() const {
  Shared& s = shared();
  absl::MutexLock lock(&s.mu);
  return s.failures;
}

}  // namespace makegood::testing
