import Giter

/// The resource exchanged: a small spec, a status with conditions.
struct WidgetSpec: ResourceSpec {
    var image: String
    var replicas: Int
    var revision: Int
}

struct WidgetStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var revision: Int?
}

typealias Widget = CustomResource<WidgetSpec, WidgetStatus>

let widgetType = ResourceType(apiVersion: "bench.giter.example/v1", kind: "Widget")

func widget(_ name: String, revision: Int) -> Widget {
    Widget(
        apiVersion: widgetType.apiVersion,
        kind: widgetType.kind,
        metadata: ObjectMeta(name: name, namespace: "bench", labels: ["app": "widget"]),
        spec: WidgetSpec(image: "registry.example.com/widget:1.\(revision)", replicas: 3, revision: revision)
    )
}

func widgetKey(_ name: String) -> ResourceKey {
    ResourceKey(namespace: "bench", kind: widgetType.kind, name: name)
}

/// The trivial consumer: marks every widget Ready at once, and notes when
/// it ran on the timeline.
struct ReadyReconciler: Reconciler {
    let timeline: Timeline

    func reconcile(_ widget: Widget, context: ReconcileContext) async throws -> ReconcileResult<WidgetStatus> {
        let start = nowNanoseconds()
        var status = widget.status ?? WidgetStatus()
        status.revision = widget.spec.revision
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Reconciled", message: "ok"))
        timeline.record(.consumer, .reconcile, start: start, end: nowNanoseconds(), commit: nil)
        return .done(status)
    }
}
