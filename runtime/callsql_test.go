package runtime

import (
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

func TestCallSQL(t *testing.T) {
	for _, tc := range []struct {
		fn   contract.Function
		want string
	}{
		{contract.Function{SQLName: `"s"."none"`}, `"s"."none"() AS pgrst_call`},
		{contract.Function{SQLName: `"s"."raw"`, Scalar: true, Params: []contract.Param{{Type: "json", Cast: "json"}}},
			`(SELECT "s"."raw"($1::json) AS pgrst_scalar) AS pgrst_call`},
		{contract.Function{SQLName: `"s"."f"`, Params: []contract.Param{
			{Name: "b", SQLName: `"b"`, Cast: "integer"},
			{Name: "a", SQLName: `"a"`, Cast: "text[]", Variadic: true},
		}}, `"s"."f"("b" := pgrst_body."b", VARIADIC "a" := pgrst_body."a") AS pgrst_call`},
	} {
		if got := CallSQL(&tc.fn); got != tc.want {
			t.Errorf("CallSQL(%s)\n got %s\nwant %s", tc.fn.SQLName, got, tc.want)
		}
	}
}
