#include "depthforge/studio/job_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

Job NewJob(const std::string& name) {
  Job job;
  job.id = NewJobId();
  job.kind = MediaKind::kImage;
  job.input_extension = ".jpg";
  job.display_name = name;
  job.request.outputs = "depth,hsbs";
  job.request.strength = 2.5;
  return job;
}

TEST(JobStore, KeepsJobsAcrossARestartAndQueuesWhatWasRunning) {
  testing::TempDir dir;
  const std::string path = dir.File("jobs.sqlite");
  Job first = NewJob("first"), second = NewJob("second"), third = NewJob("third");
  {
    JobStore store(path);
    store.Add(first);
    store.Add(second);
    store.Add(third);
    auto claimed = store.ClaimNext();
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->id, first.id);  // oldest first
    EXPECT_EQ(claimed->state, JobState::kRunning);
    EXPECT_EQ(claimed->attempts, 1);
    store.Finish(first.id, {{"photo.hsbs.jpg", 1234}});
    ASSERT_TRUE(store.ClaimNext());  // second: running when the server "dies"
    EXPECT_EQ(store.CountUnfinished(), 2);
  }
  JobStore store(path);
  EXPECT_EQ(store.RequeueUnfinished(3), 1);
  auto done = store.Get(first.id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, JobState::kDone);
  ASSERT_EQ(done->outputs.size(), 1u);
  EXPECT_EQ(done->outputs[0].name, "photo.hsbs.jpg");
  EXPECT_EQ(done->outputs[0].bytes, 1234);
  EXPECT_EQ(done->request.outputs, "depth,hsbs");
  EXPECT_EQ(done->request.strength, 2.5);
  EXPECT_FALSE(done->request.convergence);
  auto again = store.ClaimNext();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, second.id);
  EXPECT_EQ(again->attempts, 2);
  std::vector<Job> listed = store.List(10);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, third.id);  // newest first
}

TEST(JobStore, AJobThatKeepsKillingTheServerFailsInsteadOfLooping) {
  testing::TempDir dir;
  JobStore store(dir.File("jobs.sqlite"));
  Job job = NewJob("poison");
  store.Add(job);
  for (int restart = 0; restart < 3; ++restart) {
    ASSERT_TRUE(store.ClaimNext());
    store.RequeueUnfinished(3);
  }
  auto failed = store.Get(job.id);
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_THAT(failed->error, ::testing::HasSubstr("3 times"));
  EXPECT_FALSE(store.ClaimNext());
}

TEST(JobStore, WaitersWakeOnChange) {
  testing::TempDir dir;
  JobStore store(dir.File("jobs.sqlite"));
  const uint64_t seen = store.version();
  std::thread adder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store.Add(NewJob("late"));
  });
  EXPECT_NE(store.WaitForChange(seen, 10), seen);
  adder.join();
}

TEST(JobStore, UnusableDatabaseIsNamed) {
  testing::TempDir dir;
  WriteFileBytes(dir.File("not-a-db.sqlite"), std::string(4096, 'x'));
  try {
    JobStore store(dir.File("not-a-db.sqlite"));
    FAIL() << "expected FileError";
  } catch (const FileError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("not-a-db.sqlite"));
  }
}

TEST(Job, NamesAndIds) {
  EXPECT_TRUE(IsJobId(NewJobId()));
  EXPECT_NE(NewJobId(), NewJobId());
  EXPECT_FALSE(IsJobId("../../etc/passwd"));
  EXPECT_EQ(DisplayStem("My Holiday (1).JPG"), "My_Holiday_1");
  EXPECT_EQ(DisplayStem("../../etc/passwd"), "passwd");
  EXPECT_EQ(DisplayStem("C:\\photos\\cat.png"), "cat");
  EXPECT_EQ(DisplayStem("???.jpg"), "upload");
  EXPECT_EQ(DisplayStem(""), "upload");
}

}  // namespace
}  // namespace depthforge
