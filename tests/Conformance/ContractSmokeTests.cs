using NUnit.Framework;
using PoolingConformance.Cli;

namespace PoolingConformance.Tests.Conformance;

[TestFixture]
public class ContractSmokeTests
{
    [Test]
    public void List_Json_ExitsZero()
    {
        var so = new StringWriter(); var se = new StringWriter();
        Assert.That(Program.Run(["list", "--json"], so, se), Is.EqualTo(0));
        Assert.That(so.ToString(), Does.Contain("\"torch.max_pool2d\""));
    }
}
