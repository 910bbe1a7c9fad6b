using System.Runtime.CompilerServices;

namespace PoolingConformance.Optimized.Drivers;

/// <summary>
/// A set of plans marked for measurements and tests (a fast path opted out of, or into below its threshold), held weakly so a
/// marked plan is collected as usual. Read at dispatch, so a mark takes effect from the next call whatever the plan has cached.
/// </summary>
sealed class PlanMarks
{
    readonly ConditionalWeakTable<PoolPlan, object> _marked = new();

    public void Add(PoolPlan plan) => _marked.AddOrUpdate(plan, plan);

    public bool Has(PoolPlan plan) => _marked.TryGetValue(plan, out _);
}
