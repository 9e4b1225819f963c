import { strict as assert } from "node:assert";
import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetFunctionConfigurationCommand, ResourceConflictException, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { PublishCommand } from "@aws-sdk/client-sns";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { parseAlarmStateChange, type AlarmStateChange } from "../../../handlers/oom-remediator/alarm-event";
import { floorParameterName, functionNameFromAlarm, readOomRemediatorConfig, type OomRemediatorConfig } from "../../../handlers/oom-remediator/config";
import { decideMemory, lastMemoryChange, type FunctionMemoryState, type MemoryPolicy } from "../../../handlers/oom-remediator/decide";
import { remediateOom, MAX_ATTEMPTS, type RemediationDeps } from "../../../handlers/oom-remediator/remediate";
import { parseTicketRequest } from "../../../handlers/ticket-opener/ticket-request";
import { fakeFunctionWorld } from "../support/fake-function-world";

const policy: MemoryPolicy = { stepMb: 128, capMb: 1024, cooldownSeconds: 600 };
const T0 = new Date("2026-03-01T12:00:00.000Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const state = (memoryMb: number, lastModified = minutes(-60)): FunctionMemoryState => ({ memoryMb, revisionId: "r", lastModified });

describe("oom-remediator", () => {
  describe("decision", () => {
    it("raises by one step", () => {
      const d = decideMemory(state(256), { floorMb: 256, recordedAt: minutes(-30) }, policy, T0);
      assert.deepEqual(
        { action: d.action, from: d.action === "raise" && d.fromMb, to: d.action === "raise" && d.toMb },
        { action: "raise", from: 256, to: 384 },
      );
    });

    it("stops at the cap and never passes it", () => {
      const near = decideMemory(state(960), undefined, policy, T0);
      assert.equal(near.action === "raise" && near.toMb, 1024);
      for (const mb of [1024, 1536]) {
        const d = decideMemory(state(mb), undefined, policy, T0);
        assert.equal(d.action, "at-cap");
      }
      // Walking up from 128 only ever lands on the cap.
      let mb = 128;
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) {
        const d = decideMemory(state(mb), undefined, policy, T0);
        if (d.action !== "raise") break;
        mb = d.toMb;
        seen.push(mb);
      }
      assert.deepEqual(seen, [256, 384, 512, 640, 768, 896, 1024]);
    });

    it("waits out the cooldown after the last recorded raise", () => {
      const floor = { floorMb: 384, recordedAt: minutes(-5) };
      const d = decideMemory(state(384), floor, policy, T0);
      assert.equal(d.action, "cooldown");
      assert.equal(d.action === "cooldown" && d.until.toISOString(), minutes(5).toISOString());
      assert.equal(decideMemory(state(384), floor, policy, minutes(5)).action, "raise");
    });

    it("treats an unrecorded memory change as recent (a concurrent raise or a human)", () => {
      // Memory differs from the floor: the function's LastModified is the reference.
      const floor = { floorMb: 256, recordedAt: minutes(-60) };
      assert.equal(lastMemoryChange(state(384, minutes(-1)), floor).toISOString(), minutes(-1).toISOString());
      assert.equal(decideMemory(state(384, minutes(-1)), floor, policy, T0).action, "cooldown");
      // Matching floor: a later unrelated config change (a deploy) does not count.
      assert.equal(decideMemory(state(256, minutes(-1)), floor, policy, T0).action, "raise");
      // No floor recorded yet: any change of the function in the cooldown counts.
      assert.equal(decideMemory(state(128, minutes(-2)), undefined, policy, T0).action, "cooldown");
      assert.equal(decideMemory(state(128, minutes(-20)), undefined, policy, T0).action, "raise");
    });

    it("waits for a raise to the cap before escalating", () => {
      const d = decideMemory(state(1024, minutes(-1)), { floorMb: 1024, recordedAt: minutes(-1) }, policy, T0);
      assert.equal(d.action, "cooldown");
      assert.equal(decideMemory(state(1024, minutes(-11)), { floorMb: 1024, recordedAt: minutes(-11) }, policy, T0).action, "at-cap");
    });
  });

  describe("event and config parsing", () => {
    it("takes the function from the alarm name and reads a documented state change event", () => {
      const alarm = parseAlarmStateChange(alarmEvent("thumbs-dev-thumbnails-oom", "ALARM"));
      assert.equal(alarm.state, "ALARM");
      assert.equal(alarm.previousState, "OK");
      assert.equal(functionNameFromAlarm(alarm.alarmName), "thumbs-dev-thumbnails");
      assert.equal(functionNameFromAlarm("thumbs-dev-thumbnails-errors"), undefined);
      assert.throws(() => parseAlarmStateChange({ "detail-type": "Scheduled Event" }), /CloudWatch Alarm State Change/);
      assert.throws(
        () => parseAlarmStateChange({ "detail-type": "CloudWatch Alarm State Change", detail: { alarmName: "x", state: { value: "BAD" } } }),
        /state.value/,
      );
    });

    it("names the variable that is wrong", () => {
      const env = { PIPELINE_REGION: "eu-central-1", MEMORY_FLOOR_PARAMETER_PREFIX: "/p/", ALERT_TOPIC_ARN: "a", TICKET_TOPIC_ARN: "t" };
      assert.equal(readOomRemediatorConfig(env).capMb, 1024);
      assert.throws(() => readOomRemediatorConfig({ ...env, MEMORY_STEP_MB: "lots" }), /MEMORY_STEP_MB is "lots"; expected a whole number/);
      assert.throws(() => readOomRemediatorConfig({ ...env, ALERT_TOPIC_ARN: "" }), /ALERT_TOPIC_ARN is ""; expected the ARN/);
      assert.equal(floorParameterName("/thumbnail-pipeline/dev/eu-central-1/memory-floor/", "fn"), "/thumbnail-pipeline/dev/eu-central-1/memory-floor/fn");
    });
  });

  describe("remediation against mocked AWS", () => {
    const config: OomRemediatorConfig = {
      stepMb: 128,
      capMb: 1024,
      cooldownSeconds: 600,
      floorParameterPrefix: "/thumbnail-pipeline/dev/eu-central-1/memory-floor/",
      alertTopicArn: "arn:aws:sns:eu-central-1:123456789012:alerts",
      ticketTopicArn: "arn:aws:sns:eu-central-1:123456789012:tickets",
      region: "eu-central-1",
    };
    const floorName = `${config.floorParameterPrefix}fn`;
    const alarm: AlarmStateChange = parseAlarmStateChange(alarmEvent("fn-oom", "ALARM"));

    function deps(world: ReturnType<typeof fakeFunctionWorld>, now: () => Date): RemediationDeps {
      return {
        lambda: world.lambda,
        ssm: world.ssm,
        sns: world.sns,
        cloudwatch: world.cloudwatch,
        config,
        now,
        sleep: async () => undefined,
        log: () => undefined,
      };
    }

    it("updates with the RevisionId, records the floor with Overwrite and alerts what changed", async () => {
      const now = () => T0;
      const world = fakeFunctionWorld({ memoryMb: 256, lastModified: minutes(-60), floor: { name: floorName, value: "256", at: minutes(-60) } }, now);
      const outcome = await remediateOom(deps(world, now), "fn", alarm);
      assert.deepEqual(outcome, { functionName: "fn", action: "raised", fromMb: 256, toMb: 384, attempts: 1 });

      const [update] = world.lambdaMock.commandCalls(UpdateFunctionConfigurationCommand);
      assert.deepEqual(update.args[0].input, { FunctionName: "fn", MemorySize: 384, RevisionId: "rev-1" });
      const [put] = world.ssmMock.commandCalls(PutParameterCommand);
      assert.equal(put.args[0].input.Name, floorName);
      assert.equal(put.args[0].input.Value, "384");
      assert.equal(put.args[0].input.Type, "String");
      assert.equal(put.args[0].input.Overwrite, true);
      const [publish] = world.snsMock.commandCalls(PublishCommand);
      assert.equal(publish.args[0].input.TopicArn, config.alertTopicArn);
      assert.ok((publish.args[0].input.Subject ?? "").length <= 100);
      assert.match(publish.args[0].input.Message ?? "", /From: 256 MB[\s\S]*To: 384 MB[\s\S]*Why: [\s\S]*Alarm: fn-oom/);
      // Re-armed, so OOMs that continue after the raise come back as a new state change.
      const [rearm] = world.cloudwatchMock.commandCalls(SetAlarmStateCommand);
      assert.equal(rearm.args[0].input.AlarmName, "fn-oom");
      assert.equal(rearm.args[0].input.StateValue, "OK");
      assert.match(rearm.args[0].input.StateReason ?? "", /memory raised to 384 MB/);
    });

    it("re-arms the alarm during the cooldown, and a failing re-arm does not undo a raise", async () => {
      const now = () => T0;
      const cooling = fakeFunctionWorld({ memoryMb: 384, lastModified: minutes(-60), floor: { name: floorName, value: "384", at: minutes(-3) } }, now);
      const skipped = await remediateOom(deps(cooling, now), "fn", alarm);
      assert.equal(skipped.action, "cooldown");
      assert.equal(cooling.lambdaMock.commandCalls(UpdateFunctionConfigurationCommand).length, 0);
      assert.match(cooling.cloudwatchMock.commandCalls(SetAlarmStateCommand)[0].args[0].input.StateReason ?? "", /cooldown until 2026-03-01T12:07:00.000Z/);

      const world = fakeFunctionWorld({ memoryMb: 256, lastModified: minutes(-60) }, now);
      world.cloudwatchMock
        .on(SetAlarmStateCommand)
        .rejects(Object.assign(new Error("not authorized to perform: cloudwatch:SetAlarmState"), { name: "AccessDenied" }));
      const logged: string[] = [];
      const outcome = await remediateOom({ ...deps(world, now), log: (level, message) => logged.push(`${level}: ${message}`) }, "fn", alarm);
      assert.equal(outcome.action, "raised");
      assert.ok(
        logged.some((l) => /^error: could not re-arm the alarm/.test(l)),
        logged.join("\n"),
      );
    });

    it("tells people, with the command to fix it, when the raise happened but the floor could not be recorded", async () => {
      const now = () => T0;
      const world = fakeFunctionWorld({ memoryMb: 256, lastModified: minutes(-60) }, now);
      world.ssmMock.on(PutParameterCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
      await assert.rejects(
        remediateOom(deps(world, now), "fn", alarm),
        /raised fn to 384 MB but could not record the floor .*ThrottlingException: Rate exceeded/,
      );
      assert.deepEqual(world.fn.updates, [384]);
      const [alert] = world.published;
      assert.equal(alert.topic, config.alertTopicArn);
      assert.match(
        alert.message,
        /could NOT be recorded \(ThrottlingException: Rate exceeded\)[\s\S]*aws ssm put-parameter --region eu-central-1 --name \/thumbnail-pipeline\/dev\/eu-central-1\/memory-floor\/fn --type String --overwrite --value 384/,
      );
    });

    it("at the cap changes nothing and asks for a human through a ticket", async () => {
      const now = () => T0;
      const world = fakeFunctionWorld({ memoryMb: 1024, lastModified: minutes(-60), floor: { name: floorName, value: "1024", at: minutes(-60) } }, now);
      const outcome = await remediateOom(deps(world, now), "fn", alarm);
      assert.equal(outcome.action, "escalated");
      assert.equal(world.lambdaMock.commandCalls(UpdateFunctionConfigurationCommand).length, 0);
      assert.equal(world.ssmMock.commandCalls(PutParameterCommand).length, 0);
      // Not re-armed at the cap: the ticket is the answer, not a comment every minute.
      assert.equal(world.cloudwatchMock.commandCalls(SetAlarmStateCommand).length, 0);
      assert.equal(world.published.length, 1);
      assert.equal(world.published[0].topic, config.ticketTopicArn);
      const ticket = parseTicketRequest(world.published[0].message);
      assert.equal(ticket.dedupeKey, "oom:eu-central-1:fn");
      assert.equal(ticket.source, "oom-remediator");
      assert.match(ticket.description, /needs to look/);
    });

    it("re-reads and re-decides after a conflict, within a bounded number of attempts", async () => {
      const now = () => T0;
      const world = fakeFunctionWorld({ memoryMb: 256, lastModified: minutes(-60), floor: { name: floorName, value: "256", at: minutes(-60) } }, now);
      // An update already in progress (a deploy) answers ResourceConflictException once.
      world.lambdaMock
        .on(UpdateFunctionConfigurationCommand)
        .rejectsOnce(new ResourceConflictException({ message: "The operation cannot be performed at this time. An update is in progress", $metadata: {} }))
        .resolves({ MemorySize: 384, RevisionId: "rev-2" });
      const outcome = await remediateOom(deps(world, now), "fn", alarm);
      assert.equal(outcome.action === "raised" && outcome.attempts, 2);
      assert.equal(world.lambdaMock.commandCalls(GetFunctionConfigurationCommand).length, 2);

      const busy = fakeFunctionWorld({ memoryMb: 256, lastModified: minutes(-60) }, now);
      busy.lambdaMock.on(UpdateFunctionConfigurationCommand).rejects(new ResourceConflictException({ message: "busy", $metadata: {} }));
      await assert.rejects(remediateOom(deps(busy, now), "fn", alarm), new RegExp(`after ${MAX_ATTEMPTS} conflicting updates`));
    });

    it("two OOM events at once raise once, whatever the interleaving", async () => {
      // Seeded latencies shuffle which invocation reads, updates and records first.
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let trial = 0; trial < 25; trial++) {
        let clock = T0.getTime();
        const now = () => new Date((clock += 5));
        const floor = trial % 2 === 0 ? { name: floorName, value: "512", at: minutes(-60) } : undefined;
        const world = fakeFunctionWorld({ memoryMb: 512, lastModified: minutes(-60), floor, latency: () => Math.floor(random() * 4) }, now);
        const outcomes = await Promise.all([0, 1].map(() => remediateOom(deps(world, now), "fn", alarm)));
        assert.deepEqual(world.fn.updates, [640], `trial ${trial}: ${JSON.stringify(outcomes)}`);
        assert.deepEqual(outcomes.map((o) => o.action).sort(), ["cooldown", "raised"], `trial ${trial}`);
        assert.equal(world.parameters.get(floorName)?.value, "640");
        assert.equal(world.published.length, 1);
      }
    });

    it("a second event that reads after the raise but before the floor is recorded does not raise again", async () => {
      let clock = T0.getTime();
      const now = () => new Date((clock += 5));
      const world = fakeFunctionWorld({ memoryMb: 512, lastModified: minutes(-60), floor: { name: floorName, value: "512", at: minutes(-60) } }, now);
      let second: Promise<unknown> | undefined;
      // Start the second remediation exactly when the first one's update has landed.
      const original = world.fn;
      world.ssmMock.on(PutParameterCommand).callsFakeOnce(async (input: { Name: string; Value: string }) => {
        second = remediateOom(deps(world, now), "fn", alarm);
        await second;
        world.parameters.set(input.Name, { value: input.Value, at: now() });
        return { Version: 2 };
      });
      await remediateOom(deps(world, now), "fn", alarm);
      assert.equal(((await second) as { action: string }).action, "cooldown");
      assert.deepEqual(original.updates, [640]);
    });
  });
});

function alarmEvent(alarmName: string, value: string) {
  // Shape from the CloudWatch docs ("Alarm events and EventBridge").
  return {
    version: "0",
    id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "123456789012",
    time: "2026-03-01T11:59:30Z",
    region: "eu-central-1",
    resources: [`arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value, reason: "Threshold Crossed: 1 datapoint [1.0] was greater than the threshold (0.0).", timestamp: "2026-03-01T11:59:30.000+0000" },
      previousState: { value: "OK", reason: "", timestamp: "2026-03-01T11:00:00.000+0000" },
      configuration: { metrics: [] },
    },
  };
}
